// Azure Database for PostgreSQL Flexible Server holding Warden's own data (tenants, graphs, runs,
// timelines, usage, audit); Durable Task keeps its orchestration state in the storage account.
// Burstable B1ms, PostgreSQL 16, public endpoint with the "Azure services" firewall rule (the Flex
// Consumption app has no fixed outbound addresses). Both sign-in methods are on:
// - password: the administrator whose password is a @secure() parameter. It is stored in Key Vault
//   (so azd reads the same one back on the next provision) together with the connection string
//   the app reads as WARDEN_STORE;
// - Microsoft Entra ID: the app's managed identity is an Entra administrator, so the app can move to
//   token sign-in without another deployment.

@description('Server name: 3-63 lower-case letters, digits and dashes.')
param name string

param location string
param tags object

@description('Database Warden uses.')
param databaseName string = 'warden'

@description('Password administrator login.')
param administratorLogin string

@secure()
@minLength(8)
@description('Password administrator password; azd generates one on the first provision and reads it back from Key Vault afterwards.')
param administratorPassword string

@description('Object (principal) id of the Entra administrator: the app\'s managed identity.')
param entraAdminObjectId string

@description('Name of that principal; for a managed identity, its resource name. It is also the PostgreSQL role name it signs in as.')
param entraAdminName string

@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param entraAdminType string = 'ServicePrincipal'

@description('Vault that receives the password and the WARDEN_STORE connection string.')
param keyVaultName string

@description('Key Vault secret names for the administrator password and the store connection string.')
param passwordSecretName string
param storeSecretName string

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard_B1ms'
    tier: 'Burstable'
  }
  properties: {
    version: '16'
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Enabled'
      tenantId: subscription().tenantId
    }
    storage: {
      storageSizeGB: 32
      autoGrow: 'Disabled'
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

// The server takes one management operation at a time, so the children run in a chain
// (firewall rule, then database, then Entra administrator) instead of in parallel.
resource allowAzureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
  dependsOn: [
    allowAzureServices
  ]
}

resource entraAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = {
  parent: server
  name: entraAdminObjectId
  properties: {
    principalName: entraAdminName
    principalType: entraAdminType
    tenantId: subscription().tenantId
  }
  dependsOn: [
    database
  ]
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource passwordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: passwordSecretName
  properties: {
    value: administratorPassword
    contentType: 'text/plain'
  }
}

// WARDEN_STORE as a postgres:// URI (user and password percent-encoded), TLS required.
resource storeSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: storeSecretName
  properties: {
    value: 'postgres://${uriComponent(administratorLogin)}:${uriComponent(administratorPassword)}@${server.properties.fullyQualifiedDomainName}:5432/${databaseName}?sslmode=require'
    contentType: 'text/plain'
  }
  dependsOn: [
    database
  ]
}

output name string = server.name
output host string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
output administratorLogin string = administratorLogin
