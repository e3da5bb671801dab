using North.Core.Connections;
using Npgsql;

namespace North.Core.Errors;

/// <summary>
/// A script file failed: the server rejected a statement (<see cref="SqlState"/> set), or the file
/// itself is malformed (<c>North.Core.Sql.ScriptSyntaxException</c>). In Errors, shared by the
/// reader (Sql) and the executor (Execution), so neither depends on the other's namespace for it. Always names the file,
/// line and column; <see cref="NorthException.Target"/> is the file path.
/// </summary>
public class ScriptException : NorthException
{
    protected ScriptException(string message, string errorId, NorthErrorKind kind, string file, int line, int column,
        string? recommendedAction, Exception? inner = null)
        : base(message, errorId, kind, file, recommendedAction, inner)
    {
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>
    /// Set by the executor when it can prove the failed file kept nothing (a file that runs outside
    /// one transaction of North's, failing before any statement of it committed work): its
    /// unfinished mark can go, and the next run may run it again.
    /// </summary>
    public bool NothingKept { get; internal set; }

    /// <summary>A server error on a statement of a script, mapped back to the file.</summary>
    public ScriptException(string file, int line, int column, PostgresException error, string statementFirstLine)
        : this(Format(file, line, column, error, statementFirstLine), ErrorIds.ScriptFailed, KindOf(error.SqlState), file, line, column,
            error.Hint, error)
    {
        SqlState = error.SqlState;
        ServerMessage = error.MessageText;
        Detail = SecretMask.InText(error.Detail);
        Hint = error.Hint;
        StatementFirstLine = SecretMask.InStatement(statementFirstLine);
    }

    /// <summary>A server error on a statement, with an id and advice of North's own (<see cref="ErrorIds.AutocommitRequired"/>).</summary>
    public ScriptException(string file, int line, int column, PostgresException error, string statementFirstLine, string errorId, string explanation, string recommendedAction)
        : this(Format(file, line, column, error, statementFirstLine) + ": " + explanation, errorId, KindOf(error.SqlState), file, line, column,
            recommendedAction, error)
    {
        SqlState = error.SqlState;
        ServerMessage = error.MessageText;
        Detail = SecretMask.InText(error.Detail);
        Hint = error.Hint;
        StatementFirstLine = SecretMask.InStatement(statementFirstLine);
    }

    /// <summary>A failure that is not the server's (a do-until-0 cap, a transaction left open...).</summary>
    public ScriptException(string file, int line, int column, string problem, string? recommendedAction = null)
        : this($"{file}:{line}:{column}: {problem}", ErrorIds.ScriptFailed, NorthErrorKind.InvalidOperation, file, line, column, recommendedAction)
    {
    }

    /// <summary>A failure that is not the server's, with an id of its own (a do-until-0 limit...).</summary>
    public ScriptException(string file, int line, int column, string problem, string? recommendedAction, string errorId, NorthErrorKind kind)
        : this($"{file}:{line}:{column}: {problem}", errorId, kind, file, line, column, recommendedAction)
    {
    }

    /// <summary>
    /// <paramref name="failure"/> told again (a lock failure North gave up on, a CONCURRENTLY index left invalid):
    /// same place and server fields, a message, id and advice of its own.
    /// </summary>
    protected ScriptException(ScriptException failure, string message, string errorId, string? recommendedAction)
        : base(message, errorId, failure.Kind, failure.File, recommendedAction, failure)
    {
        File = failure.File;
        Line = failure.Line;
        Column = failure.Column;
        SqlState = failure.SqlState;
        ServerMessage = failure.ServerMessage;
        Detail = failure.Detail;
        Hint = failure.Hint;
        StatementFirstLine = failure.StatementFirstLine;
    }

    public string File { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>SQLSTATE of the server error; null when the error is not the server's.</summary>
    public string? SqlState { get; }

    public string? ServerMessage { get; }

    public string? Detail { get; }

    public string? Hint { get; }

    public string? StatementFirstLine { get; }

    private static string Format(string file, int line, int column, PostgresException e, string firstLine)
    {
        // The server's words may quote a connection string (dblink, a foreign server): its password is masked.
        var text = $"{file}:{line}:{column}: {e.Severity} {e.SqlState}: {SecretMask.InText(e.MessageText)}";
        if (!string.IsNullOrEmpty(e.Detail))
            text += $" (DETAIL: {SecretMask.InText(e.Detail)})";
        if (!string.IsNullOrEmpty(e.Hint))
            text += $" (HINT: {e.Hint})";
        if (!string.IsNullOrEmpty(firstLine))
            text += $" in: {SecretMask.InStatement(firstLine)}";
        return text;
    }

    private static NorthErrorKind KindOf(string sqlState) => sqlState switch
    {
        PostgresErrorCodes.InsufficientPrivilege => NorthErrorKind.PermissionDenied,
        PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled => NorthErrorKind.OperationTimeout,
        PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure => NorthErrorKind.ResourceBusy,
        _ when sqlState.StartsWith("42", StringComparison.Ordinal) => NorthErrorKind.InvalidData,
        _ => NorthErrorKind.InvalidOperation,
    };
}
