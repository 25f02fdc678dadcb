using Shouldly;
using Warden.Runtime.Hosting;
using Xunit;

namespace Warden.Runtime.Tests.Hosting;

public sealed class ChaosCrashSettingTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("allow", true)]
    [InlineData("ALLOW", true)]
    [InlineData("deny", false)]
    public void FromEnvironment_WardenChaosCrash_OnlyAllowOptsIn(string? value, bool allowed)
    {
        // Act
        var settings = WardenSettings.FromEnvironment(name => name == "WARDEN_CHAOS_CRASH" ? value : null);

        // Assert
        settings.AllowChaosCrash.ShouldBe(allowed);
    }

    [Fact]
    public void FromEnvironment_WardenChaosCrashMisspelt_StopsNamingTheVariable()
    {
        // Act
        var ex = Should.Throw<ConfigurationException>(() => WardenSettings.FromEnvironment(name => name == "WARDEN_CHAOS_CRASH" ? "yes" : null));

        // Assert
        ex.Message.ShouldBe("WARDEN_CHAOS_CRASH must be allow or deny, not 'yes'");
    }
}
