using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Functions.Http;
using Warden.Functions.Tests.Dispatcher;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Functions.Tests.Http;

/// <summary>
/// The Functions host keeps no suites yet: its suite triggers are bound and authenticated like every other, and
/// answer 501 NOT_IMPLEMENTED with the uniform error body (`warden test --server` runs suites against it instead).
/// </summary>
[Collection(AzuriteServer.Collection)]
public sealed class SuiteTriggersTests(AzuriteServer azurite)
{
    [Fact]
    public async Task SuiteTriggers_OnFunctionsHost_Answer501WithUniformBody()
    {
        // Arrange
        await using var instance = await DurableWarden.StartAsync(azurite.ConnectionString);

        // Act
        var (listed, body) = await CallAsync(instance, (t, r, c) => t.ListSuites(r, c), "GET", "/api/v1/suites");
        var (run, _) = await CallAsync(instance, (t, r, c) => t.GetSuiteRun(r, c, "srun_x"), "GET", "/api/v1/suite-runs/srun_x");

        // Assert
        listed.ShouldBe(StatusCodes.Status501NotImplemented);
        run.ShouldBe(StatusCodes.Status501NotImplemented);
        var error = JsonDocument.Parse(body).RootElement;
        error.GetProperty("error_code").GetString().ShouldBe("NOT_IMPLEMENTED");
        error.GetProperty("message").GetString()!.ShouldContain("warden test --server");
    }

    private static async Task<(int Status, string Body)> CallAsync(
        DurableWarden instance,
        Func<ApiTriggers, HttpRequest, Microsoft.DurableTask.Client.DurableTaskClient, Task<IActionResult>> trigger,
        string method,
        string path)
    {
        var http = new DefaultHttpContext { RequestServices = instance.Services };
        http.Request.Method = method;
        http.Request.Path = path;
        http.Request.Headers["X-API-Key"] = "test-admin-key";
        using var response = new MemoryStream();
        http.Response.Body = response;
        var triggers = ActivatorUtilities.CreateInstance<ApiTriggers>(instance.Services);
        var result = await trigger(triggers, http.Request, instance.Hub.Client);
        await result.ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));
        return (http.Response.StatusCode, Encoding.UTF8.GetString(response.ToArray()));
    }
}
