using North.Core.Errors;
using System.Text;

namespace North.Core.Sql;

// psql's \copy and \; : what they send, decided while reading, so a plan and the repository check refuse what a run would.
public sealed partial class ScriptReader
{
    /// <summary>
    /// <c>\copy</c> as psql runs it: the <c>COPY ... FROM STDIN</c> (or <c>TO STDOUT</c>) psql sends,
    /// as a statement located at the <c>\copy</c>; from a file, with its data lines. What needs
    /// this machine's files for output, a shell, or psql's own standard input is refused.
    /// </summary>
    private ScriptItem SlashCopyItem(Frame frame, MetaCommand meta)
    {
        var args = meta.Arguments.Count > 0 ? meta.Arguments[0] : "";
        var copy = SlashCopy.Parse(args, _session.StandardConformingStrings, out var error)
            ?? throw Error(meta, error!, "Write it as psql reads it: \\copy table [(columns)] from 'file' | stdin [options], on one line.");
        switch (copy.Target)
        {
            case SlashCopyTarget.Program:
                throw Refuse(meta, $"\\copy ... {(copy.From ? "from" : "to")} program runs a shell command: North never runs shell commands",
                    "Make the data file before the run and load it with \\copy ... from 'file'.");
            case SlashCopyTarget.File when !copy.From:
                throw Refuse(meta, "\\copy ... to 'file' writes a file on this machine: a North run changes the database, never files",
                    "Use \\copy ... to stdout or COPY ... TO STDOUT (North drains the rows to -Verbose), or export the data outside the migration.");
            case SlashCopyTarget.Process when copy.From:
                throw Refuse(meta, "\\copy ... from pstdin reads psql's own standard input, not the script: a North run has no such input",
                    "Put the data in a file beside the script and use \\copy ... from 'file', or inline after \\copy ... from stdin, ended by \\.");
        }
        var statement = Synthesize(meta, copy);
        if (!copy.From || copy.Target == SlashCopyTarget.Script)
            return statement; // to stdout/pstdout: drained as COPY ... TO STDOUT; from stdin: the caller reads the data that follows
        var (full, display) = Resolve(frame, meta, ExpandTilde(copy.File!), relative: false,
            "Name the data file by a path relative to the folder the run starts in, as psql resolves it against its current folder.");
        if (!System.IO.File.Exists(full))
            throw Error(meta, $"\\copy: data file '{copy.File}' not found (looked for {full})",
                "Check the path: psql and North resolve it against the folder the run starts in, not the script's folder.");
        if (Repository.FileKindProbe.NotRegular(full) is { } kind)
            throw Error(meta, $"\\copy: data file '{full}' is {kind}, not a regular file", "Name a regular file.");
        // Binary data goes as the file's bytes, as psql sends them.
        if (statement.Words.Contains("BINARY"))
            return new CopyFromStdin(statement, () => []) { DataLine = 1, DataFile = display, BinaryData = () => OpenFile(full, meta.File, meta.Line, meta.Column, "\\copy: ") };
        // Text is decoded as the script is at this point (psql sends the bytes in its client encoding).
        var encoding = _session.Decoding;
        return new CopyFromStdin(statement, () => DataLines(full, display, encoding, meta)) { DataLine = 1, DataFile = display };
    }

    /// <summary>
    /// psql's expand_tilde on a <c>\copy</c> file name (none on Windows, as in psql): <c>~</c> alone or
    /// before a <c>/</c> is the home folder ($HOME, else the account's), <c>~user</c> that account's
    /// (<see cref="AccountHome"/>). A name with no account is left as written, so it is not found.
    /// </summary>
    private static string ExpandTilde(string file)
    {
        if (OperatingSystem.IsWindows() || !file.StartsWith('~'))
            return file;
        var end = file.IndexOf('/');
        if (end < 0)
            end = file.Length;
        var home = end == 1 ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : AccountHome.Of(file[1..end]);
        return string.IsNullOrEmpty(home) ? file : home + file[end..];
    }

    private static IEnumerable<string> DataLines(string full, string display, Encoding encoding, MetaCommand meta)
    {
        using var source = new LineSource(OpenFile(full, meta.File, meta.Line, meta.Column, "\\copy: "), display) { Encoding = encoding, DropByteOrderMark = false };
        while (source.ReadLine() is { } line)
            yield return line;
    }

    /// <summary>The statement psql sends for a <c>\copy</c>, located at the <c>\copy</c> itself.</summary>
    private static SqlStatement Synthesize(MetaCommand meta, SlashCopy copy)
    {
        var text = copy.CopyText;
        var lexer = new ScriptLexer(meta.File, _ => null);
        lexer.BeginLine(text, meta.Line);
        var words = new List<string>();
        while (true)
        {
            var scan = lexer.Scan();
            if (scan is ScanResult.Semicolon or ScanResult.EndOfLine && lexer.TakeStatement() is { } part)
                words.AddRange(part.Words);
            if (scan is ScanResult.EndOfLine or ScanResult.Backslash)
                break;
        }
        return new SqlStatement(meta.File, meta.Line, meta.Column, text, "\\copy " + (meta.Arguments.Count > 0 ? meta.Arguments[0] : ""), words,
            copy.From, []);
    }

    private static ScriptSyntaxException Refuse(MetaCommand meta, string why, string what) =>
        new(meta.File, meta.Line, meta.Column, why, what, ErrorIds.MetaCommandRefused);

    /// <summary>
    /// Statements joined with <c>\;</c> go as one query, which PostgreSQL runs as one transaction:
    /// one it refuses in a transaction block fails there, as in psql (here before anything is sent),
    /// and a COPY is sent alone.
    /// </summary>
    private static void CheckJoined(SqlStatement statement)
    {
        if (statement.Joined is null)
            return;
        foreach (var part in statement.Parts)
        {
            if (TransactionBlockStatements.Describe(part) is { } what)
                throw new ScriptSyntaxException(part.File, part.Line, part.Column,
                    $"{what} cannot run inside a transaction block, and psql sends statements joined with \\; as one query, which PostgreSQL runs as one transaction (psql's run fails here too)",
                    "End the statement before it with ';' instead of '\\;', so it is sent alone.");
            if (part.Keyword == "COPY")
                throw new ScriptSyntaxException(part.File, part.Line, part.Column,
                    "COPY joined with other statements by \\;: North sends a COPY alone",
                    "End the statement before it with ';' instead of '\\;'.");
        }
    }
}
