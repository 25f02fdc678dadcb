namespace Warden.Runtime.Providers;

/// <summary>
/// The short system prompt every real provider sends with a node's prompt. The node's own prompt carries the task;
/// this only tells the model which seat it is in, so every provider frames the same step the same way.
/// </summary>
internal static class AgentPrompts
{
    /// <summary>Output cap when WARDEN_LLM_MAX_OUTPUT_TOKENS is not set: enough for a plan or a review, bounded in cost.</summary>
    public const int DefaultMaxOutputTokens = 4096;

    public static string System(string role)
    {
        var name = string.IsNullOrWhiteSpace(role) ? "assistant" : role.Trim();
        return $"You are the {name} agent in a multi-agent workflow. Do only the {name}'s part of the task, "
            + "answer with the result itself, and keep it concise.";
    }
}
