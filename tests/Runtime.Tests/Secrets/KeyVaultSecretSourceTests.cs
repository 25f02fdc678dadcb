using System.Net;
using Shouldly;
using Warden.Runtime.Hosting;
using Warden.Runtime.Secrets;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Secrets;

public sealed class KeyVaultSecretSourceTests : IDisposable
{
    private readonly FakeKeyVault _vault = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _vault.Dispose();

    private KeyVaultSecretSource Source(TimeSpan? refresh = null) =>
        new(_vault.Uri, refresh ?? TimeSpan.FromSeconds(300), _clock, new FakeCredential(), _vault.Options());

    [Theory]
    [InlineData("OPENAI_API_KEY", "OPENAI-API-KEY")]
    [InlineData("WARDEN_STORE", "WARDEN-STORE")]
    [InlineData("AZURE_OPENAI_API_KEY_WEST_EUROPE", "AZURE-OPENAI-API-KEY-WEST-EUROPE")]
    public void Setting_names_map_to_secret_names_with_dashes(string setting, string secret) =>
        KeyVaultSecretSource.SecretName(setting).ShouldBe(secret);

    [Fact]
    public void A_secret_resolves_through_the_challenge_flow_under_its_dashed_name()
    {
        _vault.Secrets["OPENAI-API-KEY"] = "sk-from-vault";

        Source().Get("OPENAI_API_KEY").ShouldBe("sk-from-vault");
        _vault.SecretReads.ShouldBe(1);
        _vault.Requests.ShouldBe(2, "a 401 challenge, then the read with the token");
    }

    [Fact]
    public void A_missing_secret_is_null()
    {
        Source().Get("ANTHROPIC_API_KEY").ShouldBeNull();
    }

    [Fact]
    public void Values_are_cached_within_the_refresh_interval_and_read_again_after_it()
    {
        _vault.Secrets["OPENAI-API-KEY"] = "first";
        var source = Source(TimeSpan.FromSeconds(60));
        source.Get("OPENAI_API_KEY").ShouldBe("first");
        var requests = _vault.Requests;

        _vault.Secrets["OPENAI-API-KEY"] = "second";
        _clock.Advance(TimeSpan.FromSeconds(59));
        source.Get("OPENAI_API_KEY").ShouldBe("first");
        _vault.Requests.ShouldBe(requests);

        _clock.Advance(TimeSpan.FromSeconds(1));
        source.Get("OPENAI_API_KEY").ShouldBe("second");
        _vault.Requests.ShouldBeGreaterThan(requests);
    }

    [Fact]
    public void Not_set_is_cached_too()
    {
        var source = Source();
        source.Get("SLACK_WEBHOOK_URL").ShouldBeNull();
        var requests = _vault.Requests;

        source.Get("SLACK_WEBHOOK_URL").ShouldBeNull();
        _vault.Requests.ShouldBe(requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public void A_failed_read_names_the_secret_and_the_vault_but_never_the_value(HttpStatusCode status)
    {
        _vault.Secrets["OPENAI-API-KEY"] = "sk-must-not-leak";
        _vault.Failures["OPENAI-API-KEY"] = status;

        var error = Should.Throw<ConfigurationException>(() => Source().Get("OPENAI_API_KEY"));

        error.Message.ShouldContain("OPENAI-API-KEY");
        error.Message.ShouldContain("KEY_VAULT_URI");
        error.Message.ShouldContain(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
        error.Message.ShouldNotContain("\n");
        error.ToString().ShouldNotContain("sk-must-not-leak");
    }

    [Fact]
    public void A_failed_refresh_keeps_the_last_value()
    {
        _vault.Secrets["OPENAI-API-KEY"] = "sk-cached";
        var source = Source(TimeSpan.FromSeconds(10));
        source.Get("OPENAI_API_KEY").ShouldBe("sk-cached");

        _vault.Failures["OPENAI-API-KEY"] = HttpStatusCode.InternalServerError;
        _clock.Advance(TimeSpan.FromSeconds(11));

        source.Get("OPENAI_API_KEY").ShouldBe("sk-cached");
    }
}
