using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Warden.Runtime.Tests.Support;

/// <summary>Calls one API handler in process, as a host's route or HTTP trigger would, and reads the status and JSON body it wrote.</summary>
internal static class ApiCall
{
    public static async Task<(int Status, JsonElement Body)> SendAsync(IServiceProvider services, string apiKey, Func<HttpContext, Task<IResult>> handler)
    {
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Headers["X-API-Key"] = apiKey;
        using var body = new MemoryStream();
        http.Response.Body = body;
        var result = await handler(http);
        await result.ExecuteAsync(http);
        body.Position = 0;
        using var json = await JsonDocument.ParseAsync(body);
        return (http.Response.StatusCode, json.RootElement.Clone());
    }
}
