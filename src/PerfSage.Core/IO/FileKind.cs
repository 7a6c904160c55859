namespace PerfSage.IO;

/// <summary>What a path names, as <c>stat(2)</c>'s <c>S_IFMT</c> bits say.</summary>
public enum FileKind
{
    /// <summary>Nothing at that path.</summary>
    Missing,

    /// <summary>A regular file: the only kind PerfSage reads data from or writes to.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A symbolic link (only when the probe was asked not to follow links).</summary>
    SymbolicLink,

    /// <summary>A named pipe: reading one can block forever.</summary>
    Fifo,

    /// <summary>A character device such as <c>/dev/zero</c> or <c>/dev/stdout</c>'s terminal.</summary>
    CharacterDevice,

    /// <summary>A block device (a disk).</summary>
    BlockDevice,

    /// <summary>A Unix socket.</summary>
    Socket,
}

/// <summary>Words for a <see cref="FileKind"/> in error messages.</summary>
public static class FileKindNames
{
    /// <summary>"a folder", "a named pipe (FIFO)", "a character device", ...</summary>
    public static string Describe(this FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        _ => kind.ToString(),
    };
}
