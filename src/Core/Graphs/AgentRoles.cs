namespace Warden.Core.Graphs;

/// <summary>The agent roles Warden knows how to prompt, price and mock.</summary>
public static class AgentRoles
{
    public const string Researcher = "researcher";
    public const string Planner = "planner";
    public const string Executor = "executor";
    public const string Coder = "coder";
    public const string Reviewer = "reviewer";
    public const string Finalizer = "finalizer";
    public const string Analyst = "analyst";
    public const string Writer = "writer";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Researcher, Planner, Executor, Coder, Reviewer, Finalizer, Analyst, Writer,
    };
}
