// The storage account behind the Functions host: AzureWebJobsStorage (leases, timer schedules),
// Durable Task's Azure Storage provider (the task hub's queues, tables and blobs, created by the
// extension at start-up under the TASKHUB_NAME prefix) and the Flex Consumption deployment package.
// Shared keys are off, so everything reaches it with Entra ID (the app's managed identity, or the
// developer's own sign-in); roles.bicep grants blob, queue and table data roles.

@description('Storage account name: 3-24 lower-case letters and digits.')
@minLength(3)
@maxLength(24)
param name string

param location string
param tags object

@description('Blob container that holds the app package Flex Consumption runs from.')
param deploymentContainerName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }
}

output id string = storage.id
output name string = storage.name

@description('Blob endpoint with its trailing slash, e.g. https://NAME.blob.core.windows.net/.')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

// primaryEndpoints.table ends in a slash; Warden's tables store is given the account URL without one, built from the
// cloud's storage suffix so it is right outside public Azure too.
@description('Table endpoint without a trailing slash, e.g. https://NAME.table.core.windows.net (WARDEN_TABLES_ENDPOINT).')
output tableEndpoint string = 'https://${storage.name}.table.${environment().suffixes.storage}'
