namespace Warden.Core.Governance.Injection;

/// <summary>
/// How much a signal weighs, per source. Content from tools and retrieval is data and should carry no
/// instructions at all, so every signal weighs more there; signals that are normal in a person's own request
/// ("act as a reviewer", "from now on answer in French", "note to the assistant", XML-tagged prompts) are weak for
/// user input and strong for content. With the default threshold of 0.5, one strong signal blocks user input,
/// while in tool or retrieved content one medium signal does.
/// </summary>
internal readonly record struct InjectionWeights(double User, double Content)
{
    public double For(ContentSource source) => source switch
    {
        ContentSource.UserInput => User,
        ContentSource.ToolResult or ContentSource.Retrieved => Content,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "unknown content source"),
    };
}
