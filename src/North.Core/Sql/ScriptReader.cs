using North.Core.Errors;
using North.Core.Execution;
using System.Text;

namespace North.Core.Sql;

/// <summary>
/// Reads a script the way <c>psql -f</c> does and yields what it says, in order: SQL statements,
/// meta-commands, <c>COPY ... FROM stdin</c> with its data, <c>--meta-psql:</c> markers. Includes
/// (<c>\i</c>, <c>\ir</c>) are followed, their items carrying the included file's name and lines.
/// The file is streamed: memory holds one line and the statement being built, never the file.
/// Malformed input raises <see cref="ScriptSyntaxException"/> naming file, line and column.
/// </summary>
public sealed partial class ScriptReader : IDisposable
{
    private static readonly HashSet<string> KnownCommands = new(StringComparer.Ordinal)
    {
        "set", "unset", "echo", "qecho", "warn", "i", "include", "ir", "include_relative", "timing", "pset",
        "encoding", "restrict", "unrestrict", "connect", "c",
        "if", "elif", "else", "endif", "g", "gx", "gset", "gexec", "q", "quit", "getenv", "setenv", "copy",
        // Output only: psql -f with its output discarded, as North runs files.
        "o", "out", "x", "t", "a", "f", "H", "html", "C", "errverbose",
    };

    /// <summary>Meta-commands North refuses by design, and why.</summary>
    private static readonly Dictionary<string, (string Why, string What)> Refused = new(StringComparer.Ordinal)
    {
        ["!"] = ("\\! runs a shell command: North never runs shell commands", "Run the command outside the migration, or do it in SQL."),
        ["prompt"] = ("\\prompt waits for an answer on a terminal, and North runs without one", "Pass the value with -Variable (psql's -v) and drop the \\prompt."),
        ["cd"] = ("\\cd changes the folder psql resolves \\i against: North resolves every \\i against the run's working folder", "Use \\ir to include relative to the file."),
    };

    /// <summary>The meta-commands of a conditional, processed even in a branch that is not taken.</summary>
    private static bool IsConditional(string name) => name is "if" or "elif" or "else" or "endif";

    private readonly Stack<Frame> _frames = new();
    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly ScriptReaderOptions _options;
    private readonly LineSource _main;
    private readonly IDictionary<string, string?> _environment;
    private readonly ReadingSession _session;
    private string? _restrictKey;
    private bool _started;
    // Offline lookups of a variable a run may have (psql's automatic ones, or any after a \gset): an \if on one cannot be decided.
    private int _misses;
    private bool _sawGset;

    /// <summary>The variables psql sets after connecting: a reading without a database knows they exist, not their values.</summary>
    private static readonly HashSet<string> AutomaticNames = new(StringComparer.Ordinal)
    {
        "DBNAME", "USER", "HOST", "PORT", "ENCODING", "SERVER_VERSION_NAME", "SERVER_VERSION_NUM", "VERSION", "VERSION_NAME", "VERSION_NUM",
    };

    private ScriptReader(LineSource source, string fullPath, ScriptReaderOptions? options)
    {
        _options = options ?? new ScriptReaderOptions();
        _environment = _options.Environment ?? new Dictionary<string, string?>(StringComparer.Ordinal);
        _session = _options.Session ?? new ReadingSession();
        if (_options.Variables is not null)
            foreach (var (k, v) in _options.Variables)
                _variables[k] = v;
        _frames.Push(new Frame(source, fullPath, NewLexer(source.File)));
        _main = source;
        MainFile = source.File;
    }

    /// <summary>Opens a script file. <paramref name="path"/> is also the name items and errors carry.</summary>
    public static ScriptReader Open(string path, ScriptReaderOptions? options = null)
    {
        var full = Path.GetFullPath(path);
        var stream = OpenFile(full, path, 1, 1, "");
        return new ScriptReader(new LineSource(stream, path), full, options);
    }

    /// <summary>
    /// Opens a script file for reading: a regular file only (opening a FIFO would block the run),
    /// and every reason it cannot be read is North's NorthFileUnreadable, naming the file.
    /// </summary>
    private static FileStream OpenFile(string full, string file, int line, int column, string what)
    {
        if (!System.IO.File.Exists(full))
            throw new ScriptException(file, line, column, $"{what}cannot read '{full}': the file does not exist (a dangling link?)",
                "Check the file exists and is readable by this user.", ErrorIds.FileUnreadable, NorthErrorKind.ReadError);
        if (Repository.FileKindProbe.NotRegular(full) is { } kind)
            throw new ScriptException(file, line, column, $"{what}'{full}' is {kind}, not a regular file: North reads only regular files",
                "Replace it with a regular file, or move it out of the repository.", ErrorIds.FileNotRegular, NorthErrorKind.InvalidData);
        try
        {
            return new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScriptException(file, line, column, $"{what}cannot read '{full}': {e.Message}",
                "Check the file exists and is readable by this user.", ErrorIds.FileUnreadable, NorthErrorKind.ReadError);
        }
    }

    /// <summary>Reads a script from a stream of bytes (UTF-8 unless it says otherwise), naming it <paramref name="file"/>.</summary>
    public static ScriptReader FromStream(Stream stream, string file, ScriptReaderOptions? options = null) =>
        new(new LineSource(stream, file), Path.GetFullPath(file), options);

    /// <summary>Reads a script held in a string (tests, generated scripts), naming it <paramref name="file"/>.</summary>
    public static ScriptReader FromText(string text, string file, ScriptReaderOptions? options = null) =>
        FromStream(new MemoryStream(Encoding.UTF8.GetBytes(text)), file, options);

    /// <summary>Name of the file the reader was opened on.</summary>
    public string MainFile { get; private set; } = "";

    /// <summary>Last line number read in the main file.</summary>
    public int LastLine => _main.LineNumber;

    /// <summary>psql variables as they stand (after the <c>\set</c>/<c>\unset</c> read so far).</summary>
    public IReadOnlyDictionary<string, string> Variables => _variables;

    /// <summary>
    /// What was read so far depends on more than the file's bytes: a meta-command was handled
    /// (<c>\set</c>, <c>\i</c>...) or a psql variable was looked up. Only readings that do not
    /// can be remembered by the file's size and time (see <see cref="ScriptClassifier"/>).
    /// </summary>
    internal bool DependsOnContext { get; private set; }

    /// <summary>
    /// An offline reading met a <c>\if</c> it could not decide (on a variable psql sets after
    /// connecting, or one a <c>\gset</c> may have set) and read every branch: what it saw is a
    /// superset of what a run sends.
    /// </summary>
    public bool Undecided { get; private set; }

    /// <summary>Sets (or, with null, unsets) a psql variable, as <c>\gset</c> does with a query's result.</summary>
    public void SetVariable(string name, string? value)
    {
        if (value is null)
            _variables.Remove(name);
        else
            _variables[name] = value;
    }

    private ScriptLexer NewLexer(string file) =>
        new(file, Variable) { Markers = _options.Manual, RecursionWarning = _options.Warning };

    /// <summary>Yields the script's items; can be enumerated once.</summary>
    public IEnumerable<ScriptItem> Read()
    {
        if (_started)
            throw new InvalidOperationException("A ScriptReader reads its script once.");
        _started = true;
        return ReadItems();
    }

    private IEnumerable<ScriptItem> ReadItems()
    {
        while (_frames.Count > 0)
        {
            var frame = _frames.Peek();
            var lexer = frame.Lexer;
            if (frame.NeedLine)
            {
                // The session's settings, as the statements so far left them, for every file alike.
                frame.Source.Encoding = _session.Decoding;
                frame.Source.DecodingAdvice = _session.DecodingAdvice;
                frame.Source.CommentMayBeDropped = lexer.BetweenStatements;
                var line = frame.Source.ReadLine();
                if (line is null)
                {
                    lexer.CheckComplete();
                    var last = lexer.TakeStatement();
                    if (frame.Conditions.Count > 0)
                        throw new ScriptSyntaxException(frame.Source.File, frame.Conditions[^1].Line, 1,
                            "reached the end of the file without finding the closing \\endif of this \\if", "Close every \\if with \\endif in the same file.");
                    if (last is not null && frame.Active)
                    {
                        // psql sends a COPY ... FROM stdin ended by the file alone: no data follows.
                        CheckJoined(last);
                        if (last.IsCopyFromStdin)
                            yield return new CopyFromStdin(CheckCopy(last), () => Array.Empty<string>()) { DataLine = frame.Source.LineNumber + 1 };
                        else
                            yield return Intercept(last);
                    }
                    _frames.Pop().Source.Dispose();
                    continue;
                }
                if (!lexer.BeginLine(line, frame.Source.LineNumber))
                    continue;
                frame.NeedLine = false;
            }

            lexer.StandardStrings = _session.StandardConformingStrings;
            switch (lexer.Scan())
            {
                case ScanResult.EndOfLine:
                    frame.NeedLine = true;
                    break;

                case ScanResult.Marker:
                    frame.NeedLine = true;
                    if (!frame.Active)
                        break;
                    yield return new MetaPsqlMarker(frame.Source.File, lexer.LineNumber, lexer.MarkerColumn, lexer.MarkerCommand);
                    break;

                case ScanResult.Semicolon:
                {
                    var statement = lexer.TakeStatement();
                    if (statement is null || !frame.Active)
                        break; // psql does not send a statement of a branch not taken
                    CheckJoined(statement);
                    if (statement.IsCopyFromStdin)
                    {
                        CheckCopy(statement);
                        // The data starts on the next line; what follows the ';' on this one is read after it, as psql does.
                        frame.NeedLine = lexer.Line.AsSpan(lexer.Position).IsWhiteSpace();
                        frame.Source.CommentMayBeDropped = false; // a data line is sent, whatever it starts with
                        var cursor = new CopyCursor(frame);
                        var copy = new CopyFromStdin(statement, cursor.Lines) { DataLine = frame.Source.LineNumber + 1 };
                        yield return copy;
                        cursor.Drain();
                        break;
                    }
                    yield return Intercept(statement);
                    break;
                }

                case ScanResult.Backslash:
                {
                    int start = lexer.Position;
                    int misses = _misses;
                    int resume = MetaCommandParser.Parse(lexer.Line, start, Variable, frame.Source.File, lexer.LineNumber,
                        out var name, out var arguments, frame.Active);
                    lexer.ResumeAt(resume);
                    var meta = new MetaCommand(frame.Source.File, lexer.LineNumber, start + 1, name, arguments);
                    if (IsConditional(name))
                    {
                        DependsOnContext = true;
                        Conditional(frame, meta, _misses > misses);
                        break;
                    }
                    if (!frame.Active)
                    {
                        // psql skips a branch's meta-commands, arguments and all, but still refuses an unknown one.
                        if (!KnownCommands.Contains(name) && !Refused.ContainsKey(name))
                            throw UnknownCommand(meta);
                        break;
                    }
                    if (name is "g" or "gx" or "gset" or "gexec")
                    {
                        DependsOnContext = true;
                        var sent = lexer.TakeStatement()
                            ?? throw Error(meta, $"\\{name} with no query before it (psql would send the previous query again; North does not)",
                                "Write the query on the lines before it.");
                        if (name is "gset" or "gexec")
                        {
                            if (sent.Joined is not null)
                                throw Error(meta, $"\\{name} after statements joined with \\;: North takes a query's result from one statement",
                                    "End the statements before the last with ';' and send the last alone with \\" + name + ".");
                            sent.ResultCommand = meta;
                        }
                        CheckJoined(sent);
                        _sawGset |= name == "gset";
                        if (sent.IsCopyFromStdin)
                            throw Error(meta, $"COPY ... FROM stdin sent with \\{name}: end it with ';' and put its data on the next lines");
                        yield return name is "g" or "gx" ? Intercept(sent) : sent;
                        break;
                    }
                    if (name is "q" or "quit")
                    {
                        // psql -f: \q ends the file it is in; an including file goes on.
                        DependsOnContext = true;
                        yield return meta;
                        _frames.Pop().Source.Dispose();
                        break;
                    }
                    if (name == "copy")
                    {
                        DependsOnContext = true;
                        CheckRestricted(meta);
                        frame.NeedLine = true; // \copy took the whole line
                        var copy = SlashCopyItem(frame, meta);
                        if (copy is SqlStatement { IsCopyFromStdin: true } fromScript)
                        {
                            // \copy ... from stdin: the data follows in this file, up to \., as for COPY ... FROM stdin.
                            var cursor = new CopyCursor(frame);
                            yield return new CopyFromStdin(CheckCopy(fromScript), cursor.Lines) { DataLine = frame.Source.LineNumber + 1 };
                            cursor.Drain();
                        }
                        else
                            yield return copy;
                        break;
                    }
                    var included = Handle(frame, meta);
                    yield return meta;
                    if (included is not null)
                        _frames.Push(included);
                    break;
                }
            }
        }
    }

    /// <summary>Applies a meta-command to the reading itself; returns the frame of an included file.</summary>
    private Frame? Handle(Frame frame, MetaCommand meta)
    {
        DependsOnContext = true;
        var name = meta.Name;
        var args = meta.Arguments;
        CheckRestricted(meta);

        if (Refused.TryGetValue(name, out var refused))
            throw new ScriptSyntaxException(meta.File, meta.Line, meta.Column, refused.Why, refused.What, ErrorIds.MetaCommandRefused);
        if (!KnownCommands.Contains(name))
            throw UnknownCommand(meta);

        switch (name)
        {
            case "set":
                if (args.Count > 0)
                {
                    var value = string.Concat(args.Skip(1));
                    CheckSpecial(meta, args[0], value);
                    _variables[args[0]] = value;
                }
                break;
            case "getenv":
                if (args.Count < 2)
                    throw Error(meta, "\\getenv needs a psql variable and an environment variable");
                SetVariable(args[0], _environment.TryGetValue(args[1], out var set) ? set : System.Environment.GetEnvironmentVariable(args[1]));
                break;
            case "setenv":
                if (args.Count == 0)
                    throw Error(meta, "\\setenv needs an environment variable");
                if (args[0].Contains('='))
                    throw Error(meta, "\\setenv: an environment variable name cannot hold '='");
                // For this run only: the process's environment is never changed.
                _environment[args[0]] = args.Count > 1 ? args[1] : null;
                break;
            case "unset":
                if (args.Count > 0)
                    _variables.Remove(args[0]);
                break;
            case "encoding":
                // psql's \encoding sets the connection's client encoding: it holds across \i, both ways.
                if (args.Count > 0 && !_session.Declare(args[0]))
                    throw Error(meta, $"\\encoding: unknown encoding '{args[0]}'");
                break;
            case "restrict":
                if (args.Count == 0)
                    throw Error(meta, "\\restrict needs a key");
                _restrictKey = args[0];
                break;
            case "unrestrict":
                if (args.Count == 0)
                    throw Error(meta, "\\unrestrict needs a key");
                if (_restrictKey is null)
                    throw Error(meta, "\\unrestrict without a matching \\restrict");
                _restrictKey = null;
                break;
            case "connect":
            case "c":
                CheckConnect(meta);
                if (_session.Offline)
                    _session.NewSession();
                break;
            case "i":
            case "include":
            case "ir":
            case "include_relative":
                return Include(frame, meta);
        }
        return null;
    }

    private void CheckRestricted(MetaCommand meta)
    {
        var args = meta.Arguments;
        if (_restrictKey is not null && !(meta.Name == "unrestrict" && args.Count > 0 && args[0] == _restrictKey))
            throw Error(meta, $"\\{meta.Name} is not allowed in restricted mode (after \\restrict); only \\unrestrict with the same key is",
                "pg_dump restricts meta-commands between \\restrict and \\unrestrict; this file may have been tampered with.");
    }

    /// <summary>
    /// psql's variables that change what a file means: North always stops at the first error, and
    /// runs a file the way its classification decided; turning either off is refused.
    /// </summary>
    private static void CheckSpecial(MetaCommand meta, string name, string value)
    {
        if (name is not ("ON_ERROR_STOP" or "AUTOCOMMIT"))
            return;
        // psql's bool hooks: an empty value means on.
        var on = value.Length == 0 ? true : PsqlBoolean.Parse(value);
        if (on is null)
            throw Error(meta, $"\\set {name} '{value}': not a boolean (psql refuses it too)");
        if (on.Value)
            return;
        throw name == "ON_ERROR_STOP"
            ? new ScriptSyntaxException(meta.File, meta.Line, meta.Column,
                "\\set ON_ERROR_STOP off asks to go on after a failed statement: North stops at the first error, always, so the file would not mean what it says",
                "Remove the line; make a statement that may fail safe on its own (IF EXISTS, a DO block with an exception handler).", ErrorIds.MetaCommandRefused)
            : new ScriptSyntaxException(meta.File, meta.Line, meta.Column,
                "\\set AUTOCOMMIT off makes psql open a transaction the file never commits: North decides a file's transactions once, from its statements",
                "Remove the line; write BEGIN and COMMIT in the file where it needs them.", ErrorIds.MetaCommandRefused);
    }

    /// <summary>
    /// <c>\if</c>, <c>\elif</c>, <c>\else</c>, <c>\endif</c> with psql's states: a branch is taken when
    /// every enclosing one is and its expression is psql's true; after one is taken the rest are not.
    /// </summary>
    private void Conditional(Frame frame, MetaCommand meta, bool missedVariable)
    {
        var conditions = frame.Conditions;
        switch (meta.Name)
        {
            case "if":
            {
                if (!frame.Active)
                {
                    conditions.Add(new Condition(meta.Line, Branch.Ignored, false));
                    return;
                }
                var value = Decide(meta, missedVariable);
                conditions.Add(new Condition(meta.Line, value switch { true => Branch.True, false => Branch.False, null => Branch.Undecided }, false));
                return;
            }
            case "elif":
            {
                var top = Top(meta, conditions);
                if (top.AfterElse)
                    throw Error(meta, "\\elif after \\else");
                var next = top.State switch
                {
                    Branch.True => Branch.Ignored,
                    Branch.False => Decide(meta, missedVariable) switch { true => Branch.True, false => Branch.False, null => Branch.Undecided },
                    var same => same,
                };
                conditions[^1] = top with { State = next };
                return;
            }
            case "else":
            {
                var top = Top(meta, conditions);
                if (top.AfterElse)
                    throw Error(meta, "\\else after \\else");
                var next = top.State switch
                {
                    Branch.False => Branch.True,
                    Branch.Undecided => Branch.Undecided,
                    _ => Branch.Ignored,
                };
                conditions[^1] = top with { State = next, AfterElse = true };
                return;
            }
            default:
                Top(meta, conditions);
                conditions.RemoveAt(conditions.Count - 1);
                return;
        }
    }

    private static Condition Top(MetaCommand meta, List<Condition> conditions) =>
        conditions.Count > 0 ? conditions[^1] : throw Error(meta, $"\\{meta.Name} without a matching \\if (in this file)");

    /// <summary>psql's boolean of the first argument; a value that is not one is false, with psql's warning.</summary>
    private bool? Decide(MetaCommand meta, bool missedVariable)
    {
        var text = meta.Arguments.Count > 0 ? meta.Arguments[0] : "";
        if (missedVariable)
        {
            Undecided = true;
            return null;
        }
        if (PsqlBoolean.Parse(text) is { } value)
            return value;
        _options.Warning?.Invoke($"{meta.Location}: unrecognized value \"{text}\" for \"\\{meta.Name} expression\": Boolean expected (psql takes the branch as false)");
        return false;
    }

    private void CheckConnect(MetaCommand meta)
    {
        if (meta.Arguments.Count == 0)
            return; // reconnects to the same database
        var target = meta.Arguments[0];
        if (target == "-")
            return;
        var database = target.Length > 1 && target[0] == '"' && target[^1] == '"' ? target[1..^1].Replace("\"\"", "\"") : target;
        if (database.Contains('=') || database.Contains("://"))
            throw Error(meta, "\\connect with a connection string: North never switches connections mid-run");
        if (_options.CurrentDatabase is not null && !string.Equals(database, _options.CurrentDatabase, StringComparison.Ordinal))
            throw Error(meta, $"\\connect to database \"{database}\" while running on \"{_options.CurrentDatabase}\": North never switches databases mid-run",
                "Remove the \\connect line, or run this file against that database.");
        if (meta.Arguments.Count > 1 && meta.Arguments.Skip(1).Any(a => a != "-"))
            throw Error(meta, "\\connect with a user, host or port: North never switches connections mid-run");
    }

    private Frame Include(Frame frame, MetaCommand meta)
    {
        if (meta.Arguments.Count == 0)
            throw Error(meta, $"\\{meta.Name} needs a file name");
        var target = meta.Arguments[0];
        bool relative = meta.Name is "ir" or "include_relative";
        var (full, display) = Resolve(frame, meta, target, relative,
            "Use \\ir to include relative to this file, or run from the folder the path is relative to.");
        if (!System.IO.File.Exists(full))
            throw Error(meta, $"\\{meta.Name}: file '{target}' not found (looked for {full})");
        foreach (var open in _frames)
            if (string.Equals(open.FullPath, full, StringComparison.Ordinal))
                throw Error(meta, $"\\{meta.Name}: include cycle: '{target}' is already being read",
                    "An included file must not include, directly or not, a file that includes it.");
        var stream = OpenFile(full, meta.File, meta.Line, meta.Column, $"\\{meta.Name}: ");
        var source = new LineSource(stream, display);
        return new Frame(source, full, NewLexer(display));
    }

    /// <summary>
    /// Where a file named by a meta-command is: relative to this file (<c>\\ir</c>), else to the run's
    /// working folder, as psql resolves against its current folder; inside the readable folders.
    /// </summary>
    private (string Full, string Display) Resolve(Frame frame, MetaCommand meta, string target, bool relative, string noFolderAction)
    {
        string baseFull;
        if (relative)
            baseFull = Path.GetDirectoryName(frame.FullPath)!;
        else if (_options.WorkingDirectory is not null)
            baseFull = Path.GetFullPath(_options.WorkingDirectory);
        else if (Path.IsPathRooted(target))
            baseFull = "";
        else
            throw Error(meta, $"\\{meta.Name} '{target}': no working folder to resolve it against", noFolderAction);
        var full = Path.GetFullPath(Path.Combine(baseFull, target));
        var display = relative && !Path.IsPathRooted(target)
            ? Path.Combine(Path.GetDirectoryName(frame.Source.File) ?? "", target)
            : target;
        if (_options.ReadableFolders is { } allowed && !allowed.Contains(full))
            throw new ScriptException(meta.File, meta.Line, meta.Column,
                $"\\{meta.Name} '{target}' resolves to '{full}', outside {allowed.Describe()}: North does not read it",
                Repository.ReadableFolders.HowToAllow, ErrorIds.PathOutsideRoot, NorthErrorKind.PermissionDenied);
        return (full, display);
    }

    /// <summary>Offline, the file's own SET statements are all the session there is (see <see cref="ReadingSession.Offline"/>).</summary>
    private SqlStatement Intercept(SqlStatement statement)
    {
        if (_session.Offline)
            _session.Read(statement);
        return statement;
    }

    private string? Variable(string name)
    {
        DependsOnContext = true;
        if (name == "ENCODING")
            ShowEncoding();
        // psql expands no variable in a branch not taken.
        if (_frames.Count > 0 && !_frames.Peek().Active)
            return null;
        if (_variables.TryGetValue(name, out var v))
            return v;
        if (_options.Offline && (_sawGset || AutomaticNames.Contains(name)))
            _misses++;
        return null;
    }

    /// <summary>
    /// psql sets ENCODING whenever its client encoding changes (\encoding, and after a statement that
    /// changed client_encoding), by PostgreSQL's name of it.
    /// </summary>
    private void ShowEncoding()
    {
        if (_session.ClientEncoding == _encodingShown)
            return;
        _encodingShown = _session.ClientEncoding;
        _variables["ENCODING"] = PostgresEncoding.CanonicalName(_encodingShown);
    }

    private string _encodingShown = "UTF8";

    private static ScriptSyntaxException UnknownCommand(MetaCommand meta) => Error(meta,
        meta.Name == "." ? "\\. outside COPY data (no COPY ... FROM stdin is waiting for data)" : $"unsupported psql meta-command \\{meta.Name}",
        "North runs \\set, \\unset, \\echo, \\i, \\ir, \\if, \\gset, \\gexec, \\g, \\q, \\copy, \\getenv, \\setenv, \\encoding, \\restrict, \\unrestrict, \\connect to the current database, and ignores output settings (\\pset, \\timing, \\o, \\x...); remove or rewrite the others.");

    private static ScriptSyntaxException Error(MetaCommand meta, string problem, string? action = null) =>
        new(meta.File, meta.Line, meta.Column, problem, action);

    /// <summary>A script holds text: binary COPY data cannot follow in it (psql cannot send it from a file either).</summary>
    private static SqlStatement CheckCopy(SqlStatement copy)
    {
        foreach (var word in copy.Words)
            if (word == "BINARY")
                throw new ScriptSyntaxException(copy.File, copy.Line, copy.Column,
                    "binary COPY ... FROM stdin: a script holds text lines, so binary COPY data cannot follow it",
                    "Use the text or csv format, or load the binary file with COPY ... FROM 'file' on the server.");
        return copy;
    }

    public void Dispose()
    {
        while (_frames.Count > 0)
            _frames.Pop().Source.Dispose();
    }

    private sealed class Frame(LineSource source, string fullPath, ScriptLexer lexer)
    {
        public LineSource Source { get; } = source;
        public string FullPath { get; } = fullPath;
        public ScriptLexer Lexer { get; } = lexer;
        public bool NeedLine { get; set; } = true;

        /// <summary>This file's open <c>\if</c>s, innermost last (psql keeps a stack per file).</summary>
        public List<Condition> Conditions { get; } = new();

        public bool Active => Conditions.Count == 0 || Conditions[^1].State is Branch.True or Branch.Undecided;
    }

    private enum Branch
    {
        /// <summary>This branch is taken.</summary>
        True,
        /// <summary>Not taken; a later \elif or \else may be.</summary>
        False,
        /// <summary>Not taken, and none after it: a branch before was taken, or the enclosing one is not.</summary>
        Ignored,
        /// <summary>Offline, the expression's variable comes from a query: every branch is read.</summary>
        Undecided,
    }

    private sealed record Condition(int Line, Branch State, bool AfterElse);

    /// <summary>Hands out the data lines of one COPY once, and skips whatever the consumer left.</summary>
    private sealed class CopyCursor(Frame frame)
    {
        private bool _done;
        private bool _started;

        public IEnumerable<string> Lines()
        {
            if (_started)
                throw new InvalidOperationException("COPY data can be read once.");
            _started = true;
            return Read();
        }

        private IEnumerable<string> Read()
        {
            while (true)
            {
                // psql ends the data at the end of the file too, without \.
                var line = frame.Source.ReadLine();
                if (line is null or "\\." or "\\.\r")
                {
                    _done = true;
                    yield break;
                }
                yield return line;
            }
        }

        public void Drain()
        {
            if (_done)
                return;
            if (_started)
                throw new InvalidOperationException("The COPY data was left half read.");
            foreach (var _ in Lines()) { }
        }
    }
}
