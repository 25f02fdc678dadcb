// Every role assignment of the deployment, driven by one array. Each entry is
//   { principalId, principalType, roleDefinitionId, scope }
// where scope names the resource it is granted on: 'storage', 'keyVault', 'appInsights' or 'openAi'.
// Bicep needs a typed resource as the scope of an assignment (a scope chosen by a conditional
// expression is not reliable), so there is one loop per kind of scope resource, each taking its
// entries from the same array; adding a grant means adding an entry in main.bicep, not a block here.
// Assignment names are guid(scope, principal, role): re-provisioning is idempotent.

@description('Grants: [{ principalId, principalType (ServicePrincipal | User | Group), roleDefinitionId (built-in role GUID), scope (storage | keyVault | appInsights | openAi) }].')
param assignments array

param storageAccountName string
param keyVaultName string
param appInsightsName string

@description('Azure OpenAI account name; empty when none is deployed (then no entry may use scope openAi).')
param openAiAccountName string = ''

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Only referenced by entries with scope 'openAi'; the placeholder name is never resolved otherwise.
resource openAi 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: empty(openAiAccountName) ? 'no-openai-account' : openAiAccountName
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in filter(assignments, a => a.scope == 'storage'): {
  name: guid(storage.id, grant.principalId, grant.roleDefinitionId)
  scope: storage
  properties: {
    principalId: grant.principalId
    principalType: grant.principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleDefinitionId)
  }
}]

resource keyVaultRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in filter(assignments, a => a.scope == 'keyVault'): {
  name: guid(vault.id, grant.principalId, grant.roleDefinitionId)
  scope: vault
  properties: {
    principalId: grant.principalId
    principalType: grant.principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleDefinitionId)
  }
}]

resource appInsightsRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in filter(assignments, a => a.scope == 'appInsights'): {
  name: guid(appInsights.id, grant.principalId, grant.roleDefinitionId)
  scope: appInsights
  properties: {
    principalId: grant.principalId
    principalType: grant.principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleDefinitionId)
  }
}]

resource openAiRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in filter(assignments, a => a.scope == 'openAi'): {
  name: guid(openAi.id, grant.principalId, grant.roleDefinitionId)
  scope: openAi
  properties: {
    principalId: grant.principalId
    principalType: grant.principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleDefinitionId)
  }
}]
