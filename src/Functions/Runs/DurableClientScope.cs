using Microsoft.DurableTask.Client;

namespace Warden.Functions.Runs;

/// <summary>
/// The Durable client of the function invocation in progress. The client exists only as a trigger binding
/// ([DurableClient]) while the shared API handlers reach the engine through singletons, so each HTTP trigger puts
/// its bound client here: an AsyncLocal, which flows into the handler's awaits and ends with the invocation.
/// </summary>
public static class DurableClientScope
{
    private static readonly AsyncLocal<DurableTaskClient?> Bound = new();

    public static DurableTaskClient Current =>
        Bound.Value ?? throw new InvalidOperationException("no Durable client is bound to this invocation: bind [DurableClient] DurableTaskClient in the trigger and pass it to DurableClientScope.Use");

    public static void Use(DurableTaskClient client) => Bound.Value = client ?? throw new ArgumentNullException(nameof(client));
}
