using North.Core.Errors;

namespace North.Core.Sql;

/// <summary>
/// A script North cannot read the way psql would (unterminated quote, unknown meta-command,
/// missing include...). Raised while reading, before the statement concerned is sent.
/// </summary>
public sealed class ScriptSyntaxException : ScriptException
{
    public ScriptSyntaxException(string file, int line, int column, string problem, string? recommendedAction = null)
        : base($"{file}:{line}:{column}: {problem}", ErrorIds.ScriptInvalid, NorthErrorKind.SyntaxError, file, line, column, recommendedAction)
    {
        Problem = problem;
    }

    /// <summary>A refusal with an id of its own (<see cref="ErrorIds.MetaCommandRefused"/>), located as any other.</summary>
    public ScriptSyntaxException(string file, int line, int column, string problem, string? recommendedAction, string errorId)
        : base($"{file}:{line}:{column}: {problem}", errorId, NorthErrorKind.InvalidOperation, file, line, column, recommendedAction)
    {
        Problem = problem;
    }

    /// <summary>The problem alone, without the location.</summary>
    public string Problem { get; }
}
