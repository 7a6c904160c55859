namespace PerfSage.IO;

/// <summary>What <see cref="FileProbe"/> found at a path: its kind, its size and its identity (device and inode),
/// which tells two names of one file apart from two files.</summary>
/// <param name="Kind">The kind of file.</param>
/// <param name="SizeBytes">Its size in bytes (meaningful for regular files only).</param>
/// <param name="Device">The device that holds it (major &lt;&lt; 32 | minor); 0 when unknown.</param>
/// <param name="Inode">Its inode number; 0 when unknown.</param>
public readonly record struct FileStatus(FileKind Kind, long SizeBytes, ulong Device, ulong Inode)
{
    /// <summary>Nothing at the path.</summary>
    public static FileStatus Missing { get; } = new(FileKind.Missing, 0, 0, 0);

    /// <summary>True when device and inode are known.</summary>
    public bool HasIdentity => Inode != 0;

    /// <summary>True when both name the same file (same device and inode).</summary>
    public bool IsSameFile(FileStatus other) => HasIdentity && other.HasIdentity && Device == other.Device && Inode == other.Inode;
}
