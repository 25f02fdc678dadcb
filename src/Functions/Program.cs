using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Warden.Functions;
using Warden.Runtime.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddWardenRuntime(builder.Configuration);
builder.Services.AddDurableRunEngine();
builder.Build().Run();
