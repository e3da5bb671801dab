using System.Text;

namespace North.Core.Connections;

/// <summary>
/// libpq's password file (<c>~/.pgpass</c>, or <c>PGPASSFILE</c>): lines of
/// <c>hostname:port:database:username:password</c>, <c>*</c> matching anything, <c>\:</c> and <c>\\</c>
/// escaping, first match wins. As libpq does, a file others can read is ignored (with a warning).
/// </summary>
public static class PasswordFile
{
    /// <summary>
    /// The password for the given server and user, or null. <paramref name="warn"/> receives why a file
    /// was ignored. A socket folder as <paramref name="host"/> matches <c>localhost</c>, as in libpq.
    /// </summary>
    public static string? Find(string path, string host, int port, string database, string user, Action<string>? warn = null)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & others) != 0)
            {
                warn?.Invoke($"Password file \"{path}\" has group or world access and is ignored, as libpq does; permissions should be u=rw (0600) or less.");
                return null;
            }
        }
        var matchHost = host.Length == 0 || host.StartsWith('/') ? "localhost" : host;
        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var fields = SplitLine(line);
            if (fields.Count < 5)
            {
                continue;
            }
            if (Matches(fields[0], matchHost) && Matches(fields[1], portText) && Matches(fields[2], database) && Matches(fields[3], user))
            {
                return fields[4];
            }
        }
        return null;
    }

    private static bool Matches(string field, string value) => field == "*" || field == value;

    // Splits on unescaped ':' into at most five fields (the password keeps any later ':'),
    // undoing '\:' and '\\' escapes.
    private static List<string> SplitLine(string line)
    {
        var fields = new List<string>(5);
        var current = new StringBuilder();
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length)
            {
                current.Append(line[++i]);
            }
            else if (c == ':' && fields.Count < 4)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        fields.Add(current.ToString().TrimEnd('\r'));
        return fields;
    }
}
