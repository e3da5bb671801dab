using System.Runtime.InteropServices;
using System.Text;

namespace North.Core.Sql;

/// <summary>
/// A user account's home folder, as psql's expand_tilde finds it for <c>~user</c>: getpwnam, through
/// the runtime's own System.Native (its Passwd has one layout on every Unix).
/// </summary>
internal static class AccountHome
{
    private const int RangeError = 34; // ERANGE, the same on Linux and macOS: the buffer was too small

    /// <summary>The home folder of <paramref name="user"/>, or null: no such account, or no account database (Windows).</summary>
    public static string? Of(string user)
    {
        if (OperatingSystem.IsWindows() || user.Length == 0 || user.Contains('\0'))
            return null;
        var name = Encoding.UTF8.GetBytes(user + "\0");
        for (var size = 4096; size <= 1 << 20; size *= 4)
        {
            var buffer = Marshal.AllocHGlobal(size);
            try
            {
                var result = GetPwNamR(name, out var entry, buffer, size);
                if (result == 0)
                    return entry.HomeDirectory == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(entry.HomeDirectory);
                if (result != RangeError)
                    return null;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
            }
        }
        return null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public IntPtr Name;
        public IntPtr Password;
        public uint UserId;
        public uint GroupId;
        public IntPtr UserInfo;
        public IntPtr HomeDirectory;
        public IntPtr Shell;
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code enabled for one call
    // 0: found; -1: no such account; a positive errno otherwise. The strings point into the buffer.
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_GetPwNamR", ExactSpelling = true)]
    private static extern int GetPwNamR(byte[] name, out Passwd entry, IntPtr buffer, int bufferLength);
#pragma warning restore SYSLIB1054
}
