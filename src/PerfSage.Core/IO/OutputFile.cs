namespace PerfSage.IO;

/// <summary>
/// Writes a file the user named (<c>--out</c>, <c>--plot</c>, <c>--log-file</c>'s neighbours) without damaging
/// anything else: an existing regular file is replaced atomically; a symbolic link is written <em>through</em>,
/// so its target gets the new content and the link stays; a folder, a device, a named pipe or a socket is refused
/// (PerfSage never writes through a device), and so is any of the command's own inputs.
/// </summary>
public static class OutputFile
{
    /// <summary>The real path that the new content will be renamed onto, after the checks above.</summary>
    /// <param name="path">What the user named.</param>
    /// <param name="inputs">The files the command reads; the output may not be one of them.</param>
    /// <param name="option">The option that named it, for messages (<c>--out</c>).</param>
    public static string Resolve(string path, IEnumerable<string>? inputs = null, string option = "--out")
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            throw new PerfSageException($"{option}: the path is empty");
        }
        string full = Path.GetFullPath(path);
        string target = full;
        if (FileProbe.Stat(full, followLinks: false).Kind == FileKind.SymbolicLink)
        {
            FileSystemInfo? final;
            try
            {
                final = File.ResolveLinkTarget(full, returnFinalTarget: true);
            }
            catch (IOException e)
            {
                throw new PerfSageException($"{path}: the link given to {option} cannot be followed ({e.Message})", e);
            }
            if (final is null)
            {
                throw new PerfSageException($"{path}: the link given to {option} cannot be followed");
            }
            target = Path.GetFullPath(final.FullName);
        }

        FileStatus status = FileProbe.Stat(target, followLinks: true);
        if (status.Kind is not (FileKind.Regular or FileKind.Missing))
        {
            string where = target == full ? path : $"{path} (a link to {target})";
            throw new PerfSageException(
                $"{where}: is {status.Kind.Describe()}; {option} must name a regular file or a new one (PerfSage writes a new file and renames it into place)");
        }
        string? folder = Path.GetDirectoryName(target);
        if (folder is null || FileProbe.Stat(folder, followLinks: true).Kind != FileKind.Directory)
        {
            throw new PerfSageException($"{path}: the folder {folder ?? "/"} does not exist; {option} must name a file in an existing folder");
        }
        if (inputs is not null && status.Kind == FileKind.Regular)
        {
            foreach (string input in inputs)
            {
                if (string.Equals(Path.GetFullPath(input), target, StringComparison.Ordinal)
                    || status.IsSameFile(FileProbe.Stat(input, followLinks: true)))
                {
                    throw new PerfSageException($"{path}: is one of this command's inputs ({input}); {option} must name another file");
                }
            }
        }
        return target;
    }

    /// <summary>Checks <paramref name="path"/> (<see cref="Resolve"/>), removes the temporary files that earlier
    /// killed writers left beside it, and writes it atomically with what <paramref name="write"/> produces.</summary>
    /// <returns>The real path written.</returns>
    public static string Write(string path, Action<Stream> write, IEnumerable<string>? inputs = null, string option = "--out", bool durable = true)
    {
        string target = Resolve(path, inputs, option);
        AtomicFile.RemoveLeftovers(Path.GetDirectoryName(target)!);
        AtomicFile.Write(target, write, durable);
        return target;
    }

    /// <summary>As <see cref="Write(string, Action{Stream}, IEnumerable{string}?, string, bool)"/>, for bytes.</summary>
    public static string Write(string path, byte[] bytes, IEnumerable<string>? inputs = null, string option = "--out", bool durable = true)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Write(path, stream => stream.Write(bytes), inputs, option, durable);
    }
}
