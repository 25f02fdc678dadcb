// Warden on Azure: `azd up` provisions this (subscription scope: it creates the resource group) and
// deploys src/Functions to the function app tagged azd-service-name 'api'.
//
//   identity  user-assigned managed identity the app runs as
//   storage   AzureWebJobsStorage + Durable Task (Azure Storage provider) + Flex deployment package
//   monitoring Log Analytics + workspace-based Application Insights
//   keyvault  secrets (RBAC), read by the app through Key Vault references and SECRET_BACKEND=keyvault
//   tables    Warden's store by default: WARDEN_STORE=tables, Azure Table Storage in the same storage
//             account, reached with the app identity (WARDEN_TABLES_ENDPOINT, AZURE_CLIENT_ID)
//   postgres  optional PostgreSQL store instead (deployPostgres), Burstable B1ms, PostgreSQL 16
//   openai    optional Azure OpenAI account + one model deployment (deployOpenAi)
//   roles     every role assignment, from one list
//   functionapp Flex Consumption plan + function app (.NET 10 isolated)
//
// Outputs are UPPER_SNAKE so azd stores them in the environment (.azure/<env>/.env); the
// postprovision hook turns them into src/Functions/local.settings.json.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds every other name.')
param environmentName string

@minLength(1)
@description('Region for all resources; Flex Consumption must be offered there.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of whoever runs azd (AZURE_PRINCIPAL_ID). Gets storage and Key Vault data roles (and OpenAI access) for running the Functions host locally; empty skips them.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Kind of principal principalId is; ServicePrincipal when azd runs in a pipeline.')
param principalType string = 'User'

// ---- Function app ----

@minValue(1)
@maxValue(1000)
@description('Most instances Flex Consumption may scale to. With deployPostgres, each instance opens its own PostgreSQL pool and B1ms accepts about 50 connections, so raise this together with the server size.')
param maximumInstanceCount int = 10

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Durable Task hub of the deployed app (a local Functions host uses its own, wardenlocal).')
param taskHubName string = 'warden'

// ---- Store ----

@description('Create Azure Database for PostgreSQL and make it Warden\'s store. Off by default: Warden then keeps its data in Azure Table Storage in the app\'s own storage account (WARDEN_STORE=tables), so an idle deployment costs next to nothing.')
param deployPostgres bool = false

param postgresAdminLogin string = 'wardenadmin'

@secure()
@description('Password of the PostgreSQL password administrator (only with deployPostgres). main.parameters.json has azd generate it on the first provision and read it back from Key Vault afterwards.')
param postgresAdminPassword string = ''

// ---- Azure OpenAI (optional) ----

@description('Create an Azure OpenAI account with one model deployment and point the app at it (AZURE_OPENAI_AUTH=entra).')
param deployOpenAi bool = false

@description('Region for the Azure OpenAI account when the model is not offered in location; empty means location.')
param openAiLocation string = ''

param openAiModelName string = 'gpt-4o-mini'
param openAiModelVersion string = '2024-07-18'
param openAiDeploymentSku string = 'GlobalStandard'

@minValue(1)
@description('Deployment capacity in thousands of tokens per minute.')
param openAiDeploymentCapacity int = 10

// ---- Secrets given at provision time (optional; each one is written to Key Vault) ----
// main.parameters.json maps these and the Warden settings below from azd environment values named
// APP_<SETTING> (azd env set APP_OPENAI_API_KEY ...). azd also reads the shell's environment; the
// prefix keeps a developer's own OPENAI_API_KEY or local OTLP endpoint from reaching Azure unasked.

@secure()
@description('OpenAI API key; stored as Key Vault secret OPENAI-API-KEY when given.')
param openAiApiKey string = ''

@secure()
@description('Anthropic API key; stored as Key Vault secret ANTHROPIC-API-KEY when given.')
param anthropicApiKey string = ''

@secure()
@description('Admin API key of the demo tenant created on an empty store; stored as WARDEN-BOOTSTRAP-API-KEY when given.')
param wardenBootstrapApiKey string = ''

// ---- Warden settings (empty means the app's default) ----

// SECRET_BACKEND. Not named after the setting: the linter takes any parameter whose name contains "secret" for a
// secret value, and this one only says where secrets are read from.
@allowed([
  'keyvault'
  'env'
])
@description('SECRET_BACKEND: where Warden resolves the secret settings it reads itself: keyvault (KEY_VAULT_URI, managed identity) or env (app settings, Key Vault references resolved by the platform).')
param sensitiveSettingsBackend string = 'keyvault'

@description('OPENAI_BASE_URL, for an OpenAI-compatible endpoint other than api.openai.com.')
param openAiBaseUrl string = ''

@description('OTEL_EXPORTER_OTLP_ENDPOINT: an OTLP collector Warden exports its traces and metrics to, besides Application Insights.')
param otlpEndpoint string = ''

@allowed([
  ''
  'grpc'
  'http/protobuf'
])
@description('OTEL_EXPORTER_OTLP_PROTOCOL; empty means grpc.')
param otlpProtocol string = ''

@allowed([
  ''
  'priority'
  'lowest_cost'
  'round_robin'
])
param defaultProviderStrategy string = ''

@description('Whole numbers as text, so that empty can mean "the app default".')
param llmRateLimitPerMin string = ''
param apiRateLimitPerMin string = ''
param breakerFailureThreshold string = ''
param breakerBreakSeconds string = ''

@description('Six-field NCRONTAB schedule of the release-guard timer; empty means every 5 minutes.')
param releaseGuardSchedule string = ''

@description('Six-field NCRONTAB schedule of the drift-check timer; empty means hourly.')
param driftCheckSchedule string = ''

// ---- Names ----

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

var names = {
  resourceGroup: '${abbrs.resourceGroup}${environmentName}'
  identity: '${abbrs.managedIdentity}${resourceToken}'
  storage: '${abbrs.storageAccount}${resourceToken}'
  deploymentContainer: 'app-package-${resourceToken}'
  logAnalytics: '${abbrs.logAnalytics}${resourceToken}'
  appInsights: '${abbrs.appInsights}${resourceToken}'
  keyVault: '${abbrs.keyVault}${resourceToken}'
  postgres: '${abbrs.postgresServer}${resourceToken}'
  openAi: '${abbrs.openAi}${resourceToken}'
  plan: '${abbrs.functionPlan}${resourceToken}'
  functionApp: '${abbrs.functionApp}${resourceToken}'
}

// Key Vault secret names: the setting they feed, with dashes for underscores. The same names are what
// SECRET_BACKEND=keyvault looks up, so a secret added to the vault later needs no new deployment.
var secretNames = {
  store: 'WARDEN-STORE'
  postgresPassword: 'POSTGRES-ADMIN-PASSWORD'
}

// WARDEN_STORE is one of the settings Warden treats as secret (a PostgreSQL connection string carries a password),
// so with SECRET_BACKEND=keyvault it is read from the vault only and an app setting of that name is ignored. Its
// value therefore always lives in the vault's WARDEN-STORE: the PostgreSQL URI (written by the postgres module), or
// the word 'tables' (written below); the app setting is a Key Vault reference to it under either backend.
var tablesStoreValue = 'tables'

var optionalSecrets = [
  {
    setting: 'OPENAI_API_KEY'
    secret: 'OPENAI-API-KEY'
    value: openAiApiKey
  }
  {
    setting: 'ANTHROPIC_API_KEY'
    secret: 'ANTHROPIC-API-KEY'
    value: anthropicApiKey
  }
  {
    setting: 'WARDEN_BOOTSTRAP_API_KEY'
    secret: 'WARDEN-BOOTSTRAP-API-KEY'
    value: wardenBootstrapApiKey
  }
]

var givenSecrets = filter(optionalSecrets, s => !empty(s.value))

var schedules = {
  releaseGuard: empty(releaseGuardSchedule) ? '0 */5 * * * *' : releaseGuardSchedule
  driftCheck: empty(driftCheckSchedule) ? '0 0 * * * *' : driftCheckSchedule
}

// Built-in role definition ids.
var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  cognitiveServicesOpenAiUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
}

// ---- Resources ----

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: names.deploymentContainer
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
  }
}

module postgres 'modules/postgres.bicep' = if (deployPostgres) {
  name: 'postgres'
  scope: rg
  params: {
    name: names.postgres
    location: location
    tags: tags
    administratorLogin: postgresAdminLogin
    administratorPassword: postgresAdminPassword
    entraAdminObjectId: identity.outputs.principalId
    entraAdminName: identity.outputs.name
    keyVaultName: keyVault.outputs.name
    passwordSecretName: secretNames.postgresPassword
    storeSecretName: secretNames.store
  }
}

module tablesStoreSecret 'modules/keyvault-secret.bicep' = if (!deployPostgres) {
  name: 'secret-warden-store'
  scope: rg
  params: {
    vaultName: keyVault.outputs.name
    name: secretNames.store
    value: tablesStoreValue
  }
}

module secrets 'modules/keyvault-secret.bicep' = [for secret in givenSecrets: {
  name: 'secret-${toLower(secret.secret)}'
  scope: rg
  params: {
    vaultName: keyVault.outputs.name
    name: secret.secret
    value: secret.value
  }
}]

module openAi 'modules/openai.bicep' = if (deployOpenAi) {
  name: 'openai'
  scope: rg
  params: {
    name: names.openAi
    location: empty(openAiLocation) ? location : openAiLocation
    tags: tags
    modelName: openAiModelName
    modelVersion: openAiModelVersion
    deploymentSku: openAiDeploymentSku
    capacity: openAiDeploymentCapacity
  }
}

// What the app identity needs at run time: Durable's Azure Storage provider and the host use blobs
// (leases, package), queues (work items) and tables (history, instances), and Warden's tables store the
// same account's tables (Storage Table Data Contributor covers both); Key Vault references and
// SECRET_BACKEND=keyvault read secrets; telemetry is sent with Entra ID; Azure OpenAI with Entra ID.
var appGrants = [
  {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleIds.storageBlobDataOwner
    scope: 'storage'
  }
  {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleIds.storageQueueDataContributor
    scope: 'storage'
  }
  {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleIds.storageTableDataContributor
    scope: 'storage'
  }
  {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleIds.keyVaultSecretsUser
    scope: 'keyVault'
  }
  {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleIds.monitoringMetricsPublisher
    scope: 'appInsights'
  }
]

// What the person running azd needs to run the Functions host locally against these resources
// (`func start` signs in as them through DefaultAzureCredential), and for azd to read the PostgreSQL
// password back from Key Vault. Secrets Officer rather than User so they can also add provider keys.
var developerGrants = empty(principalId) ? [] : [
  {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: roleIds.storageBlobDataOwner
    scope: 'storage'
  }
  {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: roleIds.storageQueueDataContributor
    scope: 'storage'
  }
  {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: roleIds.storageTableDataContributor
    scope: 'storage'
  }
  {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: roleIds.keyVaultSecretsOfficer
    scope: 'keyVault'
  }
]

// Azure OpenAI with Entra ID, for the app and for the developer's local host.
var openAiAppGrants = deployOpenAi ? [
  {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleIds.cognitiveServicesOpenAiUser
    scope: 'openAi'
  }
] : []

var openAiDeveloperGrants = (deployOpenAi && !empty(principalId)) ? [
  {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: roleIds.cognitiveServicesOpenAiUser
    scope: 'openAi'
  }
] : []

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    assignments: concat(appGrants, developerGrants, openAiAppGrants, openAiDeveloperGrants)
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    openAiAccountName: deployOpenAi ? names.openAi : ''
  }
  dependsOn: [
    openAi
  ]
}

// Plain (non-secret) Warden settings of the app; empty values are left out by the module.
// WARDEN_TABLES_ENDPOINT is what the tables store opens (as AZURE_CLIENT_ID, set by the module). The run side (runs,
// timeline, approvals, usage) lives there whatever WARDEN-STORE says, beside the Durable task hub: no instance keeps a
// database on its own disk, so no WARDEN_DATA_DIR is set.
var wardenSettings = {
  SECRET_BACKEND: sensitiveSettingsBackend
  KEY_VAULT_URI: keyVault.outputs.uri
  WARDEN_TABLES_ENDPOINT: storage.outputs.tableEndpoint
  POSTGRES_HOST: deployPostgres ? postgres!.outputs.host : ''
  POSTGRES_DATABASE: deployPostgres ? postgres!.outputs.databaseName : ''
  OPENAI_BASE_URL: openAiBaseUrl
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol
  DEFAULT_PROVIDER_STRATEGY: defaultProviderStrategy
  LLM_RATE_LIMIT_PER_MIN: llmRateLimitPerMin
  API_RATE_LIMIT_PER_MIN: apiRateLimitPerMin
  BREAKER_FAILURE_THRESHOLD: breakerFailureThreshold
  BREAKER_BREAK_SECONDS: breakerBreakSeconds
  RELEASE_GUARD_SCHEDULE: schedules.releaseGuard
  DRIFT_CHECK_SCHEDULE: schedules.driftCheck
}

var openAiSettings = deployOpenAi ? {
  AZURE_OPENAI_ENDPOINT: openAi!.outputs.endpoint
  AZURE_OPENAI_AUTH: 'entra'
  AZURE_OPENAI_DEPLOYMENT: openAi!.outputs.deploymentName
  AZURE_OPENAI_REGION: openAi!.outputs.location
} : {}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: names.deploymentContainer
    appInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultName: keyVault.outputs.name
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    taskHubName: taskHubName
    settings: union(wardenSettings, openAiSettings)
    keyVaultSettings: union({ WARDEN_STORE: secretNames.store }, toObject(givenSecrets, s => s.setting, s => s.secret))
  }
  // Key Vault references are resolved when the app starts: the secrets (WARDEN-STORE is written by the postgres
  // module, which wardenSettings already depends on, or by tablesStoreSecret) and the identity's roles must exist by
  // then, or the first start sees unresolved references.
  dependsOn: [
    roles
    secrets
    tablesStoreSecret
  ]
}

// ---- Outputs (azd environment values) ----

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name

output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri

@description('Client id of the app\'s user-assigned identity (the app\'s AZURE_CLIENT_ID); not for local use.')
output AZURE_CLIENT_ID string = identity.outputs.clientId

output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URI string = keyVault.outputs.uri

output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output WARDEN_TABLES_ENDPOINT string = storage.outputs.tableEndpoint

output POSTGRES_HOST string = deployPostgres ? postgres!.outputs.host : ''
output POSTGRES_DATABASE string = deployPostgres ? postgres!.outputs.databaseName : ''
output POSTGRES_ADMIN_LOGIN string = deployPostgres ? postgres!.outputs.administratorLogin : ''

output AZURE_OPENAI_ENDPOINT string = deployOpenAi ? openAi!.outputs.endpoint : ''
output AZURE_OPENAI_DEPLOYMENT string = deployOpenAi ? openAi!.outputs.deploymentName : ''
output AZURE_OPENAI_REGION string = deployOpenAi ? openAi!.outputs.location : ''

output RELEASE_GUARD_SCHEDULE string = schedules.releaseGuard
output DRIFT_CHECK_SCHEDULE string = schedules.driftCheck
