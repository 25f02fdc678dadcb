// The user-assigned identity the Function app runs as. It is created first and on its own so every
// role assignment can name it before the app exists, and so the app never runs with a half-granted
// identity: the app module waits for the roles module.

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
