using Warden.Core.Runs;

namespace Warden.Runtime.Providers;

public static class ProviderCalls
{
    /// <summary>
    /// The calls of an attempt that reached a provider, for the tenant's usage rows: faults a run's chaos injected
    /// cost nothing and must not count as the provider's errors (the release guard reads those). Deterministic, so
    /// an attempt executed again after a crash writes the same rows under the same keys.
    /// </summary>
    public static IReadOnlyList<ProviderCall> Real(RunEvent evt) => evt switch
    {
        NodeSucceeded ok => Real(ok.Calls),
        NodeFailed failed => Real(failed.Calls),
        _ => [],
    };

    private static List<ProviderCall> Real(IReadOnlyList<ProviderCall>? calls) => calls?.Where(c => !c.Injected).ToList() ?? [];
}
