using System.Runtime.InteropServices;

namespace North.Core.Repository;

/// <summary>
/// Whether a path names a regular file, without opening it: opening a FIFO named like a migration
/// blocks until something writes to it, so North must know before it reads. .NET has no public
/// API for the file type; the runtime's own native shim (libSystem.Native, shipped with every
/// .NET on Unix) has the stat call behind FileInfo, and its result starts with the flags and the
/// st_mode word.
/// </summary>
internal static class FileKindProbe
{
    private const int TypeMask = 0xF000;   // S_IFMT
    private const int Regular = 0x8000;    // S_IFREG
    private const int Fifo = 0x1000;       // S_IFIFO
    private const int Socket = 0xC000;     // S_IFSOCK
    private const int CharDevice = 0x2000; // S_IFCHR
    private const int BlockDevice = 0x6000; // S_IFBLK

    /// <summary>
    /// Null when <paramref name="path"/> is a regular file (a link is followed) or cannot be
    /// examined (the caller's open then says why); otherwise what it is instead ("a FIFO"...).
    /// </summary>
    public static string? NotRegular(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        int mode;
        try
        {
            // Room to spare: the structure has grown over .NET versions, its first two fields never moved.
            var status = new byte[512];
            if (Stat(path, status) != 0)
            {
                return null;
            }
            mode = BitConverter.ToInt32(status, 4);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        return (mode & TypeMask) switch
        {
            Regular => null,
            Fifo => "a FIFO (named pipe)",
            Socket => "a socket",
            CharDevice => "a character device",
            BlockDevice => "a block device",
            0x4000 => "a folder",
            _ => "not a regular file",
        };
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code enabled for one call
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);
#pragma warning restore SYSLIB1054
}
