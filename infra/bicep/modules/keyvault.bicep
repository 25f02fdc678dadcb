// Key Vault for Warden's secrets (the PostgreSQL password and store connection string, and any
// provider keys given at provision time). Access is Azure RBAC only, no access policies: the app's
// identity gets Key Vault Secrets User, the developer Key Vault Secrets Officer (roles.bicep).
// Soft delete keeps a deleted vault for softDeleteRetentionInDays; purge protection is left off so
// `azd down --purge` can free the name for the next `azd up` of the same environment.

@description('Vault name: 3-24 letters, digits and dashes.')
@minLength(3)
@maxLength(24)
param name string

param location string
param tags object

@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 7

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

output id string = vault.id
output name string = vault.name

@description('https://NAME.vault.azure.net/')
output uri string = vault.properties.vaultUri
