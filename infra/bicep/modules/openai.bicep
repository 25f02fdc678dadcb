// Optional Azure OpenAI account (deployed when main.bicep's deployOpenAi is true) with one model
// deployment. Keys are disabled: the app signs in with its managed identity
// (AZURE_OPENAI_AUTH=entra, role Cognitive Services OpenAI User), and so does a developer running
// the Functions host locally.

@description('Account name; also its custom subdomain, so the endpoint is https://NAME.openai.azure.com/.')
param name string

@description('Region of the account; the model, version and SKU must be offered there.')
param location string

param tags object

@description('Model to deploy, e.g. gpt-4o-mini.')
param modelName string

@description('Model version, e.g. 2024-07-18.')
param modelVersion string

@description('Deployment name; Warden sends it as the model (AZURE_OPENAI_DEPLOYMENT).')
param deploymentName string = modelName

@description('Deployment SKU: GlobalStandard, Standard, DataZoneStandard, ...')
param deploymentSku string = 'GlobalStandard'

@description('Capacity in thousands of tokens per minute; it must fit the subscription\'s quota for the model in this region.')
@minValue(1)
param capacity int = 10

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  properties: {
    customSubDomainName: name
    publicNetworkAccess: 'Enabled'
    disableLocalAuth: true
    networkAcls: {
      defaultAction: 'Allow'
    }
  }
}

resource deployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: deploymentName
  sku: {
    name: deploymentSku
    capacity: capacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: modelName
      version: modelVersion
    }
  }
}

output name string = account.name
output endpoint string = account.properties.endpoint
output deploymentName string = deployment.name
output location string = account.location
