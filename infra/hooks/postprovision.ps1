#!/usr/bin/env pwsh
# azd postprovision hook (Windows, PowerShell 7). Does what postprovision.sh does: writes
# src/Functions/local.settings.json from `azd env get-values` so `func start` in src/Functions runs
# the Functions host locally against the provisioned Key Vault (and Azure OpenAI, when deployed),
# signed in as you through DefaultAzureCredential.
#
# Storage: Azurite by default (AzureWebJobsStorage=UseDevelopmentStorage=true; run `npx azurite`).
# WARDEN_LOCAL_STORAGE=azure uses the provisioned account with your Entra sign-in instead. The local
# host always uses its own task hub, wardenlocal, so it never takes the deployed app's work.
#
# Nothing secret is written or printed. WARDEN_STORE is a secret setting: with SECRET_BACKEND=keyvault
# the local host reads it from the vault (WARDEN-STORE: 'tables' by default), so WARDEN_TABLES_ENDPOINT
# is written for it. The file is regenerated on every provision.

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Stop-Hook([string] $Message) {
    [Console]::Error.WriteLine("postprovision: $Message")
    exit 1
}

$root = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
$target = Join-Path $root 'src' 'Functions' 'local.settings.json'

$lines = & azd env get-values
if ($LASTEXITCODE -ne 0) {
    Stop-Hook "'azd env get-values' failed; select an environment (azd env select) and provision it first"
}

# KEY="value" lines with backslash escapes inside the quotes.
$values = @{}
foreach ($line in $lines) {
    if ($line -match '^([A-Za-z_][A-Za-z0-9_]*)=(.*)$') {
        $value = $Matches[2]
        if ($value.Length -ge 2 -and $value.StartsWith('"') -and $value.EndsWith('"')) {
            $value = [regex]::Replace($value.Substring(1, $value.Length - 2), '\\(.)', '$1')
        }
        $values[$Matches[1]] = $value
    }
}

function Get-EnvValue([string] $Name) {
    if ($values.ContainsKey($Name)) { return [string] $values[$Name] }
    return ''
}

$settings = [ordered]@{}
function Add-Setting([string] $Name, [string] $Value) {
    if (-not [string]::IsNullOrEmpty($Value)) { $settings[$Name] = $Value }
}

$storageMode = Get-EnvValue 'WARDEN_LOCAL_STORAGE'
if ([string]::IsNullOrEmpty($storageMode)) { $storageMode = $env:WARDEN_LOCAL_STORAGE }
if ([string]::IsNullOrEmpty($storageMode)) { $storageMode = 'azurite' }

switch ($storageMode) {
    'azurite' {
        Add-Setting 'AzureWebJobsStorage' 'UseDevelopmentStorage=true'
    }
    'azure' {
        $account = Get-EnvValue 'AZURE_STORAGE_ACCOUNT_NAME'
        if ([string]::IsNullOrEmpty($account)) {
            Stop-Hook 'WARDEN_LOCAL_STORAGE=azure but AZURE_STORAGE_ACCOUNT_NAME is not in the azd environment'
        }
        Add-Setting 'AzureWebJobsStorage__accountName' $account
    }
    default {
        Stop-Hook "WARDEN_LOCAL_STORAGE must be azurite or azure, not '$storageMode'"
    }
}

Add-Setting 'FUNCTIONS_WORKER_RUNTIME' 'dotnet-isolated'
Add-Setting 'TASKHUB_NAME' 'wardenlocal'
Add-Setting 'RELEASE_GUARD_SCHEDULE' (Get-EnvValue 'RELEASE_GUARD_SCHEDULE')
Add-Setting 'DRIFT_CHECK_SCHEDULE' (Get-EnvValue 'DRIFT_CHECK_SCHEDULE')

$keyVaultUri = Get-EnvValue 'KEY_VAULT_URI'
if ($keyVaultUri) {
    Add-Setting 'SECRET_BACKEND' 'keyvault'
    Add-Setting 'KEY_VAULT_URI' $keyVaultUri
}
Add-Setting 'WARDEN_TABLES_ENDPOINT' (Get-EnvValue 'WARDEN_TABLES_ENDPOINT')

$openAiEndpoint = Get-EnvValue 'AZURE_OPENAI_ENDPOINT'
if ($openAiEndpoint) {
    Add-Setting 'AZURE_OPENAI_ENDPOINT' $openAiEndpoint
    Add-Setting 'AZURE_OPENAI_AUTH' 'entra'
    Add-Setting 'AZURE_OPENAI_DEPLOYMENT' (Get-EnvValue 'AZURE_OPENAI_DEPLOYMENT')
    Add-Setting 'AZURE_OPENAI_REGION' (Get-EnvValue 'AZURE_OPENAI_REGION')
}

# The same guardrail settings the deployed app got (azd env set APP_<SETTING> ...).
foreach ($name in 'DEFAULT_PROVIDER_STRATEGY', 'LLM_RATE_LIMIT_PER_MIN', 'API_RATE_LIMIT_PER_MIN', 'BREAKER_FAILURE_THRESHOLD', 'BREAKER_BREAK_SECONDS') {
    Add-Setting $name (Get-EnvValue "APP_$name")
}

New-Item -ItemType Directory -Force -Path (Split-Path -Parent $target) | Out-Null
$document = [ordered]@{ IsEncrypted = $false; Values = $settings }
$document | ConvertTo-Json -Depth 5 | Set-Content -Path $target -Encoding utf8NoBOM

$openAiNote = if ($openAiEndpoint) { 'yes' } else { 'no' }
Write-Host "postprovision: wrote src/Functions/local.settings.json (storage: $storageMode, task hub: wardenlocal, Azure OpenAI: $openAiNote)"
