namespace North.Core.Errors;

/// <summary>
/// Base of every error North raises on purpose. The PowerShell layer maps these, in one place,
/// to ErrorRecords: <see cref="ErrorId"/> becomes the FullyQualifiedErrorId, <see cref="Kind"/>
/// the category, <see cref="Target"/> the target object (a file path, a database, a setting).
/// Messages are written for a DBA: what is wrong, where, and what to do. They never contain a password.
/// </summary>
public class NorthException : Exception
{
    public NorthException(string message, string errorId, NorthErrorKind kind, object? target = null, string? recommendedAction = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
        RecommendedAction = recommendedAction;
    }

    /// <summary>Stable identifier, e.g. <c>NorthScriptFailed</c>; scripts may match on it.</summary>
    public string ErrorId { get; }

    public NorthErrorKind Kind { get; }

    /// <summary>What the error is about: a file path, a database name, a setting's source.</summary>
    public object? Target { get; }

    public string? RecommendedAction { get; }
}

/// <summary>What went wrong, in terms that map onto PowerShell's ErrorCategory.</summary>
public enum NorthErrorKind
{
    InvalidData,
    InvalidArgument,
    ObjectNotFound,
    ConnectionError,
    PermissionDenied,
    OperationTimeout,
    ResourceBusy,
    InvalidOperation,
    SyntaxError,
    NotImplemented,
    WriteError,
    ReadError,
}
