using Microsoft.Extensions.DependencyInjection;
using Warden.Functions.Runs;
using Warden.Runtime.Engine;
using Warden.Runtime.Guardrails;

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
        return services;
    }
}
