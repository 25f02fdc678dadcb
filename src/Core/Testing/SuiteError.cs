namespace Warden.Core.Testing;

/// <summary>One problem in a suite document: where (path and, when known, YAML line/column) and what.</summary>
public sealed record SuiteError(string Path, string Message, int? Line = null, int? Column = null)
{
    public override string ToString() =>
        Line is null ? $"{Path}: {Message}" : $"{Path} (line {Line}, column {Column}): {Message}";
}

public sealed class SuiteValidationException : Exception
{
    public SuiteValidationException(IReadOnlyList<SuiteError> errors)
        : base(errors.Count == 1 ? errors[0].ToString() : $"{errors.Count} problems in suite; first: {errors[0]}")
    {
        Errors = errors;
    }

    public SuiteValidationException()
        : this([new SuiteError("$", "invalid suite")])
    {
    }

    public SuiteValidationException(string message)
        : this([new SuiteError("$", message)])
    {
    }

    public SuiteValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new SuiteError("$", message)];
    }

    public IReadOnlyList<SuiteError> Errors { get; }
}
