using System.Runtime.InteropServices;

namespace PerfSage.IO;

/// <summary>
/// Finds out what a path names before anything opens it, so that a named pipe (whose <c>open</c> blocks until a
/// writer comes), a device such as <c>/dev/zero</c> (endless) or a folder is refused up front. On Linux it asks
/// <c>statx(2)</c>, whose result layout is the same on every architecture (<c>include/uapi/linux/stat.h</c>);
/// elsewhere, or where <c>statx</c> is not allowed, it falls back to what .NET reports (regular file, folder or
/// link, no identity).
/// </summary>
public static partial class FileProbe
{
    // statx(2) constants, from include/uapi/linux/stat.h and fcntl.h.
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBufferBytes = 256;
    private const int OffsetMode = 28;   // __u16 stx_mode
    private const int OffsetInode = 32;  // __u64 stx_ino
    private const int OffsetSize = 40;   // __u64 stx_size
    private const int OffsetDevMajor = 136; // __u32 stx_dev_major
    private const int OffsetDevMinor = 140; // __u32 stx_dev_minor

    // S_IFMT and the file types (sys/stat.h).
    private const int TypeMask = 0xF000;
    private const int TypeSocket = 0xC000;
    private const int TypeLink = 0xA000;
    private const int TypeRegular = 0x8000;
    private const int TypeBlock = 0x6000;
    private const int TypeDirectory = 0x4000;
    private const int TypeCharacter = 0x2000;
    private const int TypeFifo = 0x1000;

    private const int ErrNoEntry = 2;      // ENOENT
    private const int ErrNotDirectory = 20; // ENOTDIR
    private const int ErrNameTooLong = 36; // ENAMETOOLONG
    private const int ErrLoop = 40;        // ELOOP

    private static bool s_statxUnavailable;

    /// <summary>What <paramref name="path"/> names. With <paramref name="followLinks"/> a symbolic link is
    /// followed to what it points at (a dangling link is <see cref="FileKind.Missing"/>); without, a link is
    /// reported as <see cref="FileKind.SymbolicLink"/>.</summary>
    public static FileStatus Stat(string path, bool followLinks = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsLinux() && !s_statxUnavailable)
        {
            FileStatus? status = StatLinux(path, followLinks);
            if (status is not null)
            {
                return status.Value;
            }
        }
        return StatManaged(path, followLinks);
    }

    private static unsafe FileStatus? StatLinux(string path, bool followLinks)
    {
        byte* buffer = stackalloc byte[StatxBufferBytes];
        new Span<byte>(buffer, StatxBufferBytes).Clear();
        int result;
        try
        {
            result = Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            s_statxUnavailable = true;
            return null;
        }
        if (result != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ErrNoEntry or ErrNotDirectory or ErrNameTooLong or ErrLoop)
            {
                return FileStatus.Missing;
            }
            // EPERM/ENOSYS from a sandbox, EACCES on a parent folder: let .NET say what it can.
            return null;
        }
        int mode = *(ushort*)(buffer + OffsetMode);
        FileKind kind = (mode & TypeMask) switch
        {
            TypeRegular => FileKind.Regular,
            TypeDirectory => FileKind.Directory,
            TypeLink => FileKind.SymbolicLink,
            TypeFifo => FileKind.Fifo,
            TypeCharacter => FileKind.CharacterDevice,
            TypeBlock => FileKind.BlockDevice,
            TypeSocket => FileKind.Socket,
            _ => FileKind.CharacterDevice, // unknown type bits: treat as "not a regular file"
        };
        ulong inode = *(ulong*)(buffer + OffsetInode);
        ulong size = *(ulong*)(buffer + OffsetSize);
        ulong device = ((ulong)*(uint*)(buffer + OffsetDevMajor) << 32) | *(uint*)(buffer + OffsetDevMinor);
        return new FileStatus(kind, size > long.MaxValue ? long.MaxValue : (long)size, device, inode);
    }

    private static FileStatus StatManaged(string path, bool followLinks)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists)
        {
            return FileStatus.Missing;
        }
        if (info.LinkTarget is not null)
        {
            if (!followLinks)
            {
                return new FileStatus(FileKind.SymbolicLink, 0, 0, 0);
            }
            FileSystemInfo? final = info.ResolveLinkTarget(returnFinalTarget: true);
            if (final is null || !final.Exists)
            {
                return FileStatus.Missing;
            }
            info = final;
        }
        return info is DirectoryInfo
            ? new FileStatus(FileKind.Directory, 0, 0, 0)
            : new FileStatus(FileKind.Regular, ((FileInfo)info).Length, 0, 0);
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
