namespace Warden.Core.Graphs;

/// <summary>One problem in a graph document: where (path and, when known, YAML line/column) and what.</summary>
public sealed record GraphError(string Path, string Message, int? Line = null, int? Column = null)
{
    public override string ToString() =>
        Line is null ? $"{Path}: {Message}" : $"{Path} (line {Line}, column {Column}): {Message}";
}

public sealed class GraphValidationException : Exception
{
    public GraphValidationException(IReadOnlyList<GraphError> errors)
        : base(errors.Count == 1 ? errors[0].ToString() : $"{errors.Count} problems in graph; first: {errors[0]}")
    {
        Errors = errors;
    }

    public GraphValidationException()
        : this([new GraphError("$", "invalid graph")])
    {
    }

    public GraphValidationException(string message)
        : this([new GraphError("$", message)])
    {
    }

    public GraphValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new GraphError("$", message)];
    }

    public IReadOnlyList<GraphError> Errors { get; }
}
