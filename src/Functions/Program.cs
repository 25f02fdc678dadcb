using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Warden.Functions.Runs;
using Warden.Runtime.Engine;
using Warden.Runtime.Guardrails;
using Warden.Runtime.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddWardenRuntime(builder.Configuration);

// The engine is the one thing this host brings: runs are RunGraph orchestrations and guardrails are entities.
// (Runtime cannot reference the Durable SDK, so the Durable engine is registered here rather than in AddWardenRuntime.)
builder.Services.AddSingleton<DurableRunEngine>();
builder.Services.AddSingleton<IRunEngine>(sp => sp.GetRequiredService<DurableRunEngine>());
builder.Services.AddSingleton<IGuardrailAdmin>(sp => sp.GetRequiredService<DurableRunEngine>());

builder.Build().Run();
