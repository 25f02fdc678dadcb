using System.Text.Json.Nodes;
using Shouldly;
using Xunit;

namespace Warden.Infra.Tests.Bicep;

/// <summary>
/// infra/bicep compiled and linted by the real Bicep CLI, then the compiled ARM template checked for what the app
/// depends on: the settings the Functions host and Warden read, and the roles the app identity needs.
/// </summary>
public sealed class MainTemplateTests
{
    // Compiled once for the tests that only read the ARM template (a compilation takes a few seconds).
    private static readonly Lazy<Task<JsonNode>> CompiledMain = new(() => CompileAsync(BicepCli.MainTemplate));

    [Fact]
    public async Task Build_MainTemplate_CompilesWithoutErrorsOrWarnings()
    {
        var result = await BicepCli.RunAsync("build", BicepCli.MainTemplate, "--stdout");

        result.ExitCode.ShouldBe(0, result.Describe());
        ErrorsAndWarnings(result).ShouldBeEmpty(result.Describe());
        var template = JsonNode.Parse(result.StandardOutput)!;
        template["$schema"]!.GetValue<string>().ShouldContain("subscriptionDeploymentTemplate");
    }

    [Fact]
    public async Task Lint_MainTemplate_ReportsNoErrorsOrWarnings()
    {
        // lint exits 0 with warnings, so the diagnostics themselves decide.
        var result = await BicepCli.RunAsync("lint", BicepCli.MainTemplate);

        result.ExitCode.ShouldBe(0, result.Describe());
        ErrorsAndWarnings(result).ShouldBeEmpty(result.Describe());
    }

    [Fact]
    public async Task Parameters_AzdMappings_NameTemplateParametersAndCoverTheRequiredOnes()
    {
        var template = await CompiledMain.Value;
        var declared = template["parameters"]!.AsObject();
        var mapped = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(BicepCli.BicepDirectory, "main.parameters.json")))!["parameters"]!.AsObject();

        // A mapping to a parameter the template no longer has fails `azd provision` on Azure, not here.
        mapped.Select(p => p.Key).Where(name => !declared.ContainsKey(name)).ShouldBeEmpty();
        var required = declared.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key);
        required.Where(name => !mapped.ContainsKey(name)).ShouldBeEmpty();
    }

    [Fact]
    public async Task FunctionApp_HostStorage_IsIdentityBasedWithTheUserAssignedIdentity()
    {
        var template = await CompileAsync(Path.Combine(BicepCli.BicepDirectory, "modules", "functionapp.bicep"));

        var host = template["variables"]!["hostSettings"]!.AsObject();

        // Durable Task's Azure Storage provider and the host read AzureWebJobsStorage__*; a user-assigned identity
        // needs credential=managedidentity and its client id. Shared keys are off, so no connection string may appear.
        Text(host, "AzureWebJobsStorage__accountName").ShouldBe("[parameters('storageAccountName')]");
        Text(host, "AzureWebJobsStorage__credential").ShouldBe("managedidentity");
        Text(host, "AzureWebJobsStorage__clientId").ShouldBe("[parameters('identityClientId')]");
        Text(host, "AZURE_CLIENT_ID").ShouldBe("[parameters('identityClientId')]");
        Text(host, "APPLICATIONINSIGHTS_AUTHENTICATION_STRING").ShouldContain("Authorization=AAD");
        Text(host, "APPLICATIONINSIGHTS_CONNECTION_STRING").ShouldBe("[parameters('appInsightsConnectionString')]");
        host.ContainsKey("AzureWebJobsStorage").ShouldBeFalse();
    }

    [Fact]
    public async Task Roles_DefinitionIds_AreTheBuiltInRolesTheAppNeeds()
    {
        var template = await CompiledMain.Value;

        var roles = template["variables"]!["roleIds"]!.AsObject();

        // Built-in role definition ids, the same in every tenant.
        Text(roles, "storageBlobDataOwner").ShouldBe("b7e6dc6d-f1e8-4753-8033-0f276bb0955b");
        Text(roles, "storageQueueDataContributor").ShouldBe("974c5e8b-45b9-4653-ba55-5f855dd0fb88");
        Text(roles, "storageTableDataContributor").ShouldBe("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3");
        Text(roles, "keyVaultSecretsUser").ShouldBe("4633458b-17de-408a-b874-0445c86b69e6");
        Text(roles, "monitoringMetricsPublisher").ShouldBe("3913510d-42f4-4e42-8a64-420c390055eb");
        var assignments = Text(Module(template, "roles")["properties"]!["parameters"]!["assignments"]!.AsObject(), "value");
        foreach (var role in new[] { "storageBlobDataOwner", "storageQueueDataContributor", "storageTableDataContributor" })
        {
            assignments.ShouldContain($"variables('roleIds').{role}");
        }
    }

    [Fact]
    public async Task DefaultDeployment_StoresInTablesAndCreatesNoPostgres()
    {
        var template = await CompiledMain.Value;

        template["parameters"]!["deployPostgres"]!["defaultValue"]!.GetValue<bool>().ShouldBeFalse();
        Text(Module(template, "postgres"), "condition").ShouldBe("[parameters('deployPostgres')]");

        // WARDEN_STORE is read from Key Vault under SECRET_BACKEND=keyvault, so 'tables' is written to WARDEN-STORE.
        var tablesSecret = Module(template, "secret-warden-store");
        Text(tablesSecret, "condition").ShouldBe("[not(parameters('deployPostgres'))]");
        Text(template["variables"]!.AsObject(), "tablesStoreValue").ShouldBe("tables");
        Text(template["variables"]!["secretNames"]!.AsObject(), "store").ShouldBe("WARDEN-STORE");

        var app = Module(template, "functionapp")["properties"]!["parameters"]!;
        Text(app["keyVaultSettings"]!.AsObject(), "value").ShouldContain("'WARDEN_STORE'");
        var settings = Text(app["settings"]!.AsObject(), "value");
        settings.ShouldContain("'WARDEN_TABLES_ENDPOINT'");
        settings.ShouldContain("outputs.tableEndpoint.value");
        var dependsOn = Module(template, "functionapp")["dependsOn"]!.ToJsonString();
        dependsOn.ShouldContain("secret-warden-store");
    }

    [Fact]
    public async Task Storage_TableEndpoint_IsTheAccountUrlWithoutTrailingSlash()
    {
        var template = await CompileAsync(Path.Combine(BicepCli.BicepDirectory, "modules", "storage.bicep"));

        Text(template["outputs"]!["tableEndpoint"]!.AsObject(), "value")
            .ShouldBe("[format('https://{0}.table.{1}', parameters('name'), environment().suffixes.storage)]");
    }

    private static async Task<JsonNode> CompileAsync(string path)
    {
        var result = await BicepCli.RunAsync("build", path, "--stdout");
        result.ExitCode.ShouldBe(0, result.Describe());
        return JsonNode.Parse(result.StandardOutput)!;
    }

    private static List<string> ErrorsAndWarnings(BicepResult result) =>
        result.Diagnostics.Where(d => !d.Contains(" : Info ", StringComparison.Ordinal)).ToList();

    private static JsonNode Module(JsonNode template, string name) =>
        template["resources"]!.AsArray().SingleOrDefault(r => r!["name"]?.GetValue<string>() == name)
        ?? throw new ShouldAssertException($"the compiled template has no resource named {name}");

    private static string Text(JsonNode node, string property) =>
        node[property]?.GetValue<string>() ?? throw new ShouldAssertException($"{property} is missing from {node.ToJsonString()}");
}
