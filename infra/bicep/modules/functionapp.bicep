// The Functions host: a Flex Consumption (FC1) plan and a Linux function app running the .NET 10
// isolated worker (src/Functions, azd service 'api'). The app runs as the user-assigned identity for
// everything: the deployment package container, AzureWebJobsStorage (which Durable Task's Azure
// Storage provider also uses), Application Insights, Key Vault references and Warden's own calls
// (DefaultAzureCredential with AZURE_CLIENT_ID). Flex takes the runtime from functionAppConfig, so
// FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not app settings here.

param name string
param planName string
param location string
param tags object

@description('Resource id and client id of the user-assigned identity the app runs as.')
param identityId string
param identityClientId string

param storageAccountName string

@description('Blob endpoint of the storage account, with its trailing slash.')
param storageBlobEndpoint string

param deploymentContainerName string

param appInsightsConnectionString string

@description('Vault the Key Vault references point at.')
param keyVaultName string

@description('Upper bound on instances; each instance has its own PostgreSQL connection pool, so keep it within what the server accepts.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Durable Task hub name (host.json reads %TASKHUB_NAME%).')
param taskHubName string

@description('Warden settings with plain values; entries whose value is empty are left out, so the app uses its own default.')
param settings object

// Names only (setting -> secret name), no values: nothing here needs @secure().
@description('Warden settings whose values live in Key Vault: { SETTING_NAME: \'SECRET-NAME\' }. Each becomes a Key Vault reference the platform resolves with the app identity.')
param keyVaultSettings object

var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLIENT_ID: identityClientId
  TASKHUB_NAME: taskHubName
}

var plainSettings = toObject(filter(items(settings), s => !empty(s.value)), s => s.key, s => s.value)

var keyVaultReference = '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName='
var keyVaultReferences = toObject(items(keyVaultSettings), s => s.key, s => '${keyVaultReference}${s.value})')

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  // Host settings last: a Warden setting can never replace one the host depends on.
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: union(plainSettings, keyVaultReferences, hostSettings)
  }
}

output id string = app.id
output name string = app.name
output uri string = 'https://${app.properties.defaultHostName}'
output planName string = plan.name
