using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Providers;
using Warden.Runtime.Secrets;
using Xunit;

namespace Warden.Runtime.Tests.Secrets;

public sealed class SecretResolutionTests : IDisposable
{
    private readonly FakeKeyVault _vault = new();

    public void Dispose() => _vault.Dispose();

    private Func<string, string?> Resolve(Dictionary<string, string> environment, ISecretSource? source = null) =>
        SecretResolution.Resolve(
            name => environment.GetValueOrDefault(name),
            keyVault: (uri, refresh) => source ?? new KeyVaultSecretSource(uri, refresh, credential: new FakeCredential(), options: _vault.Options()));

    private Dictionary<string, string> KeyVault(params (string Name, string Value)[] more)
    {
        var environment = new Dictionary<string, string> { ["SECRET_BACKEND"] = "keyvault", ["KEY_VAULT_URI"] = _vault.Uri.ToString() };
        foreach (var (name, value) in more)
        {
            environment[name] = value;
        }

        return environment;
    }

    [Fact]
    public void The_env_backend_is_the_default_and_reads_the_host_settings_unchanged()
    {
        var environment = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-env" };
        Func<string, string?> read = name => environment.GetValueOrDefault(name);

        SecretResolution.Resolve(read).ShouldBeSameAs(read);
        environment["SECRET_BACKEND"] = "ENV";
        SecretResolution.Resolve(read)("OPENAI_API_KEY").ShouldBe("sk-env");
    }

    [Fact]
    public void With_keyvault_secrets_come_from_the_vault_and_other_settings_from_the_host()
    {
        _vault.Secrets["OPENAI-API-KEY"] = "sk-vault";
        _vault.Secrets["WARDEN-STORE"] = "postgres://warden:pw@db.example:5432/warden";
        _vault.Secrets["WARDEN-BOOTSTRAP-API-KEY"] = "boot-vault";
        var read = Resolve(KeyVault(("OPENAI_API_KEY", "sk-env-ignored"), ("WARDEN_WORKERS", "4"), ("OPENAI_BASE_URL", "https://proxy.example/v1")));

        read("OPENAI_API_KEY").ShouldBe("sk-vault");
        read("OPENAI_BASE_URL").ShouldBe("https://proxy.example/v1");
        var settings = WardenSettings.FromEnvironment(read);
        settings.Workers.ShouldBe(4);
        settings.BootstrapApiKey.ShouldBe("boot-vault");
        settings.Store.ShouldNotBeNull().ShouldContain("Host=db.example");
        ProviderConfiguration.FromEnvironment(read).ShouldHaveSingleItem().ShouldBeOfType<OpenAiLlmClient>();
    }

    [Theory]
    [InlineData("vault")]
    [InlineData("aws")]
    public void An_unknown_backend_names_the_variable(string backend)
    {
        var error = Should.Throw<ConfigurationException>(() => Resolve(new() { ["SECRET_BACKEND"] = backend }));
        error.Message.ShouldStartWith("SECRET_BACKEND must be env or keyvault");
    }

    [Fact]
    public void Keyvault_without_a_vault_uri_names_KEY_VAULT_URI()
    {
        Should.Throw<ConfigurationException>(() => Resolve(new() { ["SECRET_BACKEND"] = "keyvault" }))
            .Message.ShouldStartWith("KEY_VAULT_URI is not set");
        Should.Throw<ConfigurationException>(() => Resolve(new() { ["SECRET_BACKEND"] = "keyvault", ["KEY_VAULT_URI"] = "http://kv.example/" }))
            .Message.ShouldStartWith("KEY_VAULT_URI must be");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("soon")]
    public void A_bad_refresh_interval_names_SECRET_REFRESH_SECONDS(string value)
    {
        Should.Throw<ConfigurationException>(() => Resolve(KeyVault(("SECRET_REFRESH_SECONDS", value))))
            .Message.ShouldStartWith("SECRET_REFRESH_SECONDS must be");
    }

    [Theory]
    [InlineData("OPENAI_BASE_URL", "https://proxy.example/v1", "OPENAI-API-KEY")]
    [InlineData("ANTHROPIC_BASE_URL", "https://proxy.example", "ANTHROPIC-API-KEY")]
    [InlineData("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com", "AZURE-OPENAI-API-KEY")]
    public void A_provider_whose_key_is_missing_from_the_vault_fails_start_up_naming_the_secret(string partner, string value, string secret)
    {
        var error = Should.Throw<ConfigurationException>(() => Resolve(KeyVault((partner, value))));

        error.Message.ShouldStartWith($"{partner} is set but Key Vault secret {secret} ");
        error.Message.ShouldContain("KEY_VAULT_URI");
    }

    [Fact]
    public void Regional_keys_are_secrets_too()
    {
        var environment = KeyVault(("AZURE_OPENAI_REGIONS", "eastus,west-europe"), ("AZURE_OPENAI_ENDPOINT_EASTUS", "https://e.openai.azure.com"), ("AZURE_OPENAI_ENDPOINT_WEST_EUROPE", "https://w.openai.azure.com"));
        _vault.Secrets["AZURE-OPENAI-API-KEY-EASTUS"] = "k1";

        Should.Throw<ConfigurationException>(() => Resolve(environment))
            .Message.ShouldStartWith("AZURE_OPENAI_ENDPOINT_WEST_EUROPE is set but Key Vault secret AZURE-OPENAI-API-KEY-WEST-EUROPE ");

        _vault.Secrets["AZURE-OPENAI-API-KEY-WEST-EUROPE"] = "k2";
        ProviderConfiguration.FromEnvironment(Resolve(environment)).Count.ShouldBe(2);
    }

    [Fact]
    public void Entra_needs_no_azure_openai_key_in_the_vault()
    {
        var read = Resolve(KeyVault(("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com"), ("AZURE_OPENAI_AUTH", "entra")));
        read("AZURE_OPENAI_API_KEY").ShouldBeNull();
    }

    [Fact]
    public void A_vault_that_refuses_fails_start_up_naming_the_secret()
    {
        _vault.Failures["OPENAI-API-KEY"] = System.Net.HttpStatusCode.Forbidden;

        Should.Throw<ConfigurationException>(() => Resolve(KeyVault(("OPENAI_BASE_URL", "https://proxy.example/v1"))))
            .Message.ShouldContain("Key Vault secret OPENAI-API-KEY (for OPENAI_API_KEY)");
    }

    [Theory]
    [InlineData("OPENAI_BASE_URL", "OPENAI_API_KEY")]
    [InlineData("ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY")]
    public void With_the_env_backend_a_half_configured_provider_names_the_variable(string partner, string key)
    {
        var read = Resolve(new() { [partner] = "https://proxy.example" });

        Should.Throw<ConfigurationException>(() => ProviderConfiguration.FromEnvironment(read))
            .Message.ShouldBe($"{partner} is set but {key} is not; set {key} or unset {partner}");
    }

    [Fact]
    public void Names_that_are_secrets()
    {
        SecretResolution.IsSecret("OPENAI_API_KEY").ShouldBeTrue();
        SecretResolution.IsSecret("AZURE_OPENAI_API_KEY_EASTUS").ShouldBeTrue();
        SecretResolution.IsSecret("SLACK_WEBHOOK_URL").ShouldBeTrue();
        SecretResolution.IsSecret("OPENAI_BASE_URL").ShouldBeFalse();
        SecretResolution.IsSecret("AZURE_OPENAI_API_KEY_").ShouldBeFalse();
    }
}
