#!/bin/sh
# azd postprovision hook (posix). Writes src/Functions/local.settings.json from `azd env get-values`
# so `func start` in src/Functions runs the Functions host on this machine against the provisioned
# Key Vault (and Azure OpenAI, when deployed), signed in as you (DefaultAzureCredential: az / azd /
# Visual Studio sign-in), not as the app's managed identity.
#
# Storage: Azurite by default (AzureWebJobsStorage=UseDevelopmentStorage=true; run `npx azurite`).
# The storage account has shared keys disabled, and a local host sharing it would compete with the
# deployed app for Durable work unless it used another task hub. Set WARDEN_LOCAL_STORAGE=azure
# (azd env set WARDEN_LOCAL_STORAGE azure) to use the account with your Entra sign-in instead; the
# local host always uses its own task hub, wardenlocal.
#
# Nothing secret is written or printed: no keys, passwords or connection strings. WARDEN_STORE is a
# secret setting: with SECRET_BACKEND=keyvault the local host reads it from the vault (WARDEN-STORE:
# 'tables' by default), so WARDEN_TABLES_ENDPOINT is written for it and the local host uses the
# deployed tables store as you. The file is regenerated on every provision.
set -eu

root=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
target="$root/src/Functions/local.settings.json"

if ! values=$(azd env get-values); then
    echo "postprovision: 'azd env get-values' failed; select an environment (azd env select) and provision it first" >&2
    exit 1
fi

# Value of KEY in the `azd env get-values` output (lines KEY="value", backslash-escaped), or empty.
env_value() {
    raw=$(printf '%s\n' "$values" | sed -n "s/^$1=//p" | tail -n 1)
    case "$raw" in
        \"*\") raw=${raw#\"}; raw=${raw%\"}; printf '%s' "$raw" | sed 's/\\\(.\)/\1/g' ;;
        *) printf '%s' "$raw" ;;
    esac
}

json_escape() {
    printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

entries=''
# add NAME VALUE: one "NAME": "VALUE" line of Values; an empty VALUE is skipped.
add() {
    [ -n "$2" ] || return 0
    line=$(printf '    "%s": "%s"' "$1" "$(json_escape "$2")")
    if [ -z "$entries" ]; then
        entries=$line
    else
        entries=$(printf '%s,\n%s' "$entries" "$line")
    fi
}

storage_mode=$(env_value WARDEN_LOCAL_STORAGE)
storage_mode=${storage_mode:-${WARDEN_LOCAL_STORAGE:-azurite}}
case "$storage_mode" in
    azurite)
        add AzureWebJobsStorage "UseDevelopmentStorage=true"
        ;;
    azure)
        account=$(env_value AZURE_STORAGE_ACCOUNT_NAME)
        if [ -z "$account" ]; then
            echo "postprovision: WARDEN_LOCAL_STORAGE=azure but AZURE_STORAGE_ACCOUNT_NAME is not in the azd environment" >&2
            exit 1
        fi
        add AzureWebJobsStorage__accountName "$account"
        ;;
    *)
        echo "postprovision: WARDEN_LOCAL_STORAGE must be azurite or azure, not '$storage_mode'" >&2
        exit 1
        ;;
esac

add FUNCTIONS_WORKER_RUNTIME dotnet-isolated
add TASKHUB_NAME wardenlocal
add RELEASE_GUARD_SCHEDULE "$(env_value RELEASE_GUARD_SCHEDULE)"
add DRIFT_CHECK_SCHEDULE "$(env_value DRIFT_CHECK_SCHEDULE)"

key_vault_uri=$(env_value KEY_VAULT_URI)
if [ -n "$key_vault_uri" ]; then
    add SECRET_BACKEND keyvault
    add KEY_VAULT_URI "$key_vault_uri"
fi
add WARDEN_TABLES_ENDPOINT "$(env_value WARDEN_TABLES_ENDPOINT)"

openai_endpoint=$(env_value AZURE_OPENAI_ENDPOINT)
if [ -n "$openai_endpoint" ]; then
    add AZURE_OPENAI_ENDPOINT "$openai_endpoint"
    add AZURE_OPENAI_AUTH entra
    add AZURE_OPENAI_DEPLOYMENT "$(env_value AZURE_OPENAI_DEPLOYMENT)"
    add AZURE_OPENAI_REGION "$(env_value AZURE_OPENAI_REGION)"
fi

# The same guardrail settings the deployed app got (azd env set APP_<SETTING> ...).
for setting in DEFAULT_PROVIDER_STRATEGY LLM_RATE_LIMIT_PER_MIN API_RATE_LIMIT_PER_MIN BREAKER_FAILURE_THRESHOLD BREAKER_BREAK_SECONDS; do
    add "$setting" "$(env_value "APP_$setting")"
done

mkdir -p "$(dirname -- "$target")"
tmp="$target.tmp.$$"
trap 'rm -f "$tmp"' EXIT
{
    printf '{\n  "IsEncrypted": false,\n  "Values": {\n'
    printf '%s\n' "$entries"
    printf '  }\n}\n'
} > "$tmp"
mv -f "$tmp" "$target"
trap - EXIT

openai_note=no
[ -z "$openai_endpoint" ] || openai_note=yes
echo "postprovision: wrote ${target#"$root"/} (storage: $storage_mode, task hub: wardenlocal, Azure OpenAI: $openai_note)"
