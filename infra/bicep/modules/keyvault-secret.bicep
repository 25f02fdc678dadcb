// One secret in an existing vault. A module of its own so main.bicep can write the optional secrets
// in one loop while each value stays a @secure() parameter (never in deployment history or outputs).

param vaultName string

@description('Secret name: letters, digits and dashes. Warden names a secret after the setting it feeds, with dashes for underscores (OPENAI_API_KEY -> OPENAI-API-KEY).')
param name string

@secure()
param value string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: name
  properties: {
    value: value
    contentType: 'text/plain'
  }
}
