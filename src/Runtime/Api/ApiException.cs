using Microsoft.AspNetCore.Http;

namespace Warden.Runtime.Api;

/// <summary>The one error body every endpoint returns.</summary>
public sealed record ErrorBody(string ErrorCode, string Message, object? Details = null);

/// <summary>A request that cannot be served, with the status and stable code the client sees.</summary>
public sealed class ApiException : Exception
{
    public ApiException(int status, string code, string message, object? details = null)
        : base(message)
    {
        Status = status;
        Code = code;
        Details = details;
    }

    public ApiException()
        : this(StatusCodes.Status500InternalServerError, "INTERNAL", "internal error")
    {
    }

    public ApiException(string message)
        : this(StatusCodes.Status400BadRequest, "BAD_REQUEST", message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCodes.Status400BadRequest;
        Code = "BAD_REQUEST";
    }

    public int Status { get; }

    public string Code { get; }

    public object? Details { get; }

    public static ApiException BadRequest(string message, object? details = null) => new(StatusCodes.Status400BadRequest, "VALIDATION_FAILED", message, details);

    public static ApiException NotFound(string message) => new(StatusCodes.Status404NotFound, "NOT_FOUND", message);

    public static ApiException Conflict(string code, string message) => new(StatusCodes.Status409Conflict, code, message);
}

/// <summary>Who is calling: the tenant and role of the API key, and a stable actor name for audit and approvals.</summary>
public sealed record ApiCaller(string TenantId, string Role, string KeyId, bool IsPlatform = false)
{
    public string Actor => $"{Role}:{KeyId}";
}

public static class Roles
{
    public const string Admin = "admin";
    public const string Operator = "operator";
    public const string Reviewer = "reviewer";
    public const string AgentManager = "agent_manager";
    public const string Viewer = "viewer";
    public const string Api = "api";

    public static readonly string[] Any = [Admin, Operator, Reviewer, AgentManager, Viewer, Api];
    public static readonly string[] AdminOnly = [Admin];
    public static readonly string[] ManageCatalog = [Admin, AgentManager];
    public static readonly string[] ManageGraphs = [Admin, AgentManager, Operator, Api];
    public static readonly string[] StartRuns = [Admin, Operator, AgentManager, Api];
    public static readonly string[] ControlRuns = [Admin, Operator];

    /// <summary>Who may move a graph's channels (release, rollback): the people who own agents and graphs, not the agents themselves.</summary>
    public static readonly string[] ManageReleases = [Admin, AgentManager];

    /// <summary>Who may ask the release guard about a snapshot: release owners, and the operators who watch production.</summary>
    public static readonly string[] GuardReleases = [Admin, AgentManager, Operator];
    public static readonly string[] DecideApprovals = [Admin, Operator, Reviewer];

    /// <summary>Chaos injects faults (and may kill the engine): the people who operate the platform ask for it, not agents.</summary>
    public static readonly string[] InjectChaos = [Admin, Operator];

    /// <summary>The audit log is oversight data: the people who run and review work read and verify it, agents and viewers do not.</summary>
    public static readonly string[] ReadAudit = [Admin, Operator, Reviewer];
}
