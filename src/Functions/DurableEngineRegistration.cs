using Microsoft.Extensions.DependencyInjection;
using Warden.Functions.Guardrails;
using Warden.Functions.Runs;
using Warden.Runtime.Engine;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Tables;

namespace Warden.Functions;

public static class DurableEngineRegistration
{
    /// <summary>
    /// The one thing this host brings beyond AddWardenRuntime: runs are RunGraph orchestrations and guardrails are
    /// entities. (Runtime cannot reference the Durable SDK, so the Durable engine is registered here.)
    /// </summary>
    public static IServiceCollection AddDurableRunEngine(this IServiceCollection services)
    {
        services.AddSingleton<DurableRunEngine>();
        services.AddSingleton<IRunEngine>(sp => sp.GetRequiredService<DurableRunEngine>());
        services.AddSingleton<IGuardrailAdmin>(sp => sp.GetRequiredService<DurableRunEngine>());
        services.AddTransient<ExecuteNodeActivity>();
        services.AddTransient<AppendTimelineActivity>();
        services.AddSingleton<DecisionAudit>();

        // Guardrail state lives in the entities on this host: GET /api/v1/guardrails reads them there.
        services.AddSingleton<IUsageStore>(sp => new EntityGuardrailView(ActivatorUtilities.CreateInstance<TablesUsageStore>(sp)));
        return services;
    }
}
