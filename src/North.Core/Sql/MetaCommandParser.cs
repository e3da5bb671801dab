using System.Text;

namespace North.Core.Sql;

/// <summary>
/// psql's backslash-command lexer (src/bin/psql/psqlscanslash.l), for the argument form most
/// commands use (OT_NORMAL): whitespace-separated words; '...' with psql escapes; "..." kept
/// with its quotes; :var, :'var', :"var" interpolated; an unquoted backslash ends the command
/// (<c>\\</c> also ends it and lets SQL follow on the same line).
/// </summary>
internal static class MetaCommandParser
{
    /// <summary>Parses the command whose backslash is at <paramref name="start"/>; returns where the SQL lexer resumes.</summary>
    public static int Parse(string line, int start, Func<string, string?> variable, string file, int lineNumber,
        out string name, out List<string> arguments, bool active = true)
    {
        int n = line.Length;
        int i = start + 1;
        int nameStart = i;
        // The name runs to whitespace or a backslash; "\." and "\!" are one-character names.
        while (i < n && !ScriptLexer.IsSpace(line[i]) && line[i] != '\\')
            i++;
        name = line.Substring(nameStart, i - nameStart);
        arguments = new List<string>();
        if (name == "copy")
        {
            // psql's OT_WHOLE_LINE: \copy takes the rest of the line as it is, no variable nor backquote expanded.
            var rest = line.AsSpan(i).Trim();
            if (rest.Length > 0)
                arguments.Add(rest.ToString());
            return n;
        }

        var arg = new StringBuilder();
        while (true)
        {
            while (i < n && ScriptLexer.IsSpace(line[i])) i++;
            if (i >= n)
                return n;
            if (line[i] == '\\')
            {
                if (i + 1 < n && line[i + 1] == '\\')
                    return i + 2;
                return i;
            }

            arg.Clear();
            bool any = false;
            while (i < n && !ScriptLexer.IsSpace(line[i]) && line[i] != '\\')
            {
                char c = line[i];
                any = true;
                if (c == '\'')
                {
                    i = SingleQuoted(line, i + 1, arg, file, lineNumber);
                    continue;
                }
                if (c == '"')
                {
                    int close = i + 1;
                    while (true)
                    {
                        close = line.IndexOf('"', close);
                        if (close < 0)
                            throw new ScriptSyntaxException(file, lineNumber, i + 1, $"unterminated quoted string in \\{name}");
                        if (close + 1 < n && line[close + 1] == '"') { close += 2; continue; }
                        break;
                    }
                    arg.Append(line, i, close - i + 1);
                    i = close + 1;
                    continue;
                }
                if (c == '`' && active)
                    throw new ScriptSyntaxException(file, lineNumber, i + 1,
                        $"\\{name}: backquoted shell commands are refused: North never runs shell commands",
                        "Pass the value with -Variable (psql's -v) instead.", Errors.ErrorIds.MetaCommandRefused);
                if (c == ':' && i + 3 < n && line[i + 1] == '{' && line[i + 2] == '?')
                {
                    int k = i + 3, from = k;
                    while (k < n && ScriptLexer.IsVariableChar(line[k])) k++;
                    if (k > from && k < n && line[k] == '}')
                    {
                        arg.Append(variable(line.Substring(from, k - from)) is null ? "FALSE" : "TRUE");
                        i = k + 1;
                        continue;
                    }
                }
                if (c == ':' && i + 1 < n)
                {
                    char q = line[i + 1] is '\'' or '"' ? line[i + 1] : '\0';
                    int j = i + 1 + (q != '\0' ? 1 : 0);
                    int vs = j;
                    while (j < n && ScriptLexer.IsVariableChar(line[j])) j++;
                    if (j > vs && (q == '\0' || (j < n && line[j] == q)))
                    {
                        var value = variable(line.Substring(vs, j - vs));
                        if (value is not null)
                        {
                            arg.Append(q switch
                            {
                                '\'' => ScriptLexer.QuoteLiteral(value),
                                '"' => "\"" + value.Replace("\"", "\"\"") + "\"",
                                _ => value,
                            });
                            i = q != '\0' ? j + 1 : j;
                            continue;
                        }
                    }
                }
                arg.Append(c);
                i++;
            }
            if (any)
                arguments.Add(arg.ToString());
        }
    }

    private static int SingleQuoted(string line, int i, StringBuilder arg, string file, int lineNumber)
    {
        int n = line.Length;
        int open = i - 1;
        while (i < n)
        {
            char c = line[i];
            if (c == '\'')
            {
                if (i + 1 < n && line[i + 1] == '\'') { arg.Append('\''); i += 2; continue; }
                return i + 1;
            }
            if (c == '\\' && i + 1 < n)
            {
                char e = line[i + 1];
                switch (e)
                {
                    case 'n': arg.Append('\n'); i += 2; continue;
                    case 't': arg.Append('\t'); i += 2; continue;
                    case 'b': arg.Append('\b'); i += 2; continue;
                    case 'r': arg.Append('\r'); i += 2; continue;
                    case 'f': arg.Append('\f'); i += 2; continue;
                }
                if (e is >= '0' and <= '7')
                {
                    int j = i + 1, v = 0;
                    while (j < n && j < i + 4 && line[j] is >= '0' and <= '7') v = v * 8 + (line[j++] - '0');
                    arg.Append((char)v);
                    i = j;
                    continue;
                }
                if (e is 'x' or 'X' && i + 2 < n && Uri.IsHexDigit(line[i + 2]))
                {
                    int j = i + 2, v = 0;
                    while (j < n && j < i + 4 && Uri.IsHexDigit(line[j])) v = v * 16 + Convert.ToInt32(line[j++].ToString(), 16);
                    arg.Append((char)v);
                    i = j;
                    continue;
                }
                arg.Append(e);
                i += 2;
                continue;
            }
            arg.Append(c);
            i++;
        }
        throw new ScriptSyntaxException(file, lineNumber, open + 1, "unterminated quoted string in a backslash command");
    }
}
