using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Warden.Functions.Runs;

namespace Warden.Functions.Http;

/// <summary>A WardenApi handler's <see cref="IResult"/> as the <see cref="IActionResult"/> the Functions ASP.NET Core integration executes.</summary>
internal sealed class ApiResult(IResult result) : IActionResult
{
    /// <summary>Runs a handler with the invocation's Durable client in scope (the engine needs it).</summary>
    public static async Task<IActionResult> RespondAsync(DurableTaskClient client, Func<Task<IResult>> handler)
    {
        DurableClientScope.Use(client);
        return new ApiResult(await handler());
    }

    /// <summary>Runs a handler that writes the response itself (the live event stream).</summary>
    public static async Task<IActionResult> StreamAsync(DurableTaskClient client, Func<Task> handler)
    {
        DurableClientScope.Use(client);
        await handler();
        return new EmptyResult();
    }

    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return result.ExecuteAsync(context.HttpContext);
    }
}
