using PerfSage.IO;

namespace PerfSage.Cli;

/// <summary>
/// Checks the files and folders the user names for a command's output before any work is done, so that a bad
/// <c>--out</c> fails in a second with one line rather than after a long run, and never writes through a device,
/// a named pipe, a replaced link or an input (the writing itself goes through <see cref="OutputFile"/>).
/// </summary>
internal static class OutputPaths
{
    /// <summary>Checks an output file (<see cref="OutputFile.Resolve"/>), creating its folder when that is missing.</summary>
    /// <returns>The real path the file will be written to.</returns>
    public static string CheckFile(string path, IEnumerable<string>? inputs, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length > 0)
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null && FileProbe.Stat(folder, followLinks: true).Kind == FileKind.Missing
                && FileProbe.Stat(folder, followLinks: false).Kind == FileKind.Missing)
            {
                Directory.CreateDirectory(folder);
            }
        }
        return OutputFile.Resolve(path, inputs, option);
    }

    /// <summary>Refuses an output folder path where something other than a folder (or a link to one) exists.</summary>
    public static void CheckFolder(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            throw new PerfSageException($"{option}: the path is empty");
        }
        string full = Path.GetFullPath(path);
        FileKind kind = FileProbe.Stat(full, followLinks: true).Kind;
        if (kind == FileKind.Directory)
        {
            return;
        }
        if (kind == FileKind.Missing)
        {
            if (FileProbe.Stat(full, followLinks: false).Kind == FileKind.SymbolicLink)
            {
                throw new PerfSageException($"{path}: is a symbolic link to nothing; {option} must name a folder (new or existing)");
            }
            return;
        }
        throw new PerfSageException($"{path}: is {kind.Describe()}; {option} must name a folder (new or existing)");
    }

    /// <summary>Checks the file <c>--log-file</c> appends to: a regular file (links followed) or a new one, and none of
    /// the other files named on the command line (<paramref name="arguments"/>, the option's own value included once),
    /// which a log line appended would damage.</summary>
    public static void CheckLogFile(string path, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(arguments);
        string full = Path.GetFullPath(path);
        FileStatus status = FileProbe.Stat(full, followLinks: true);
        if (status.Kind == FileKind.Missing)
        {
            return; // a new file (or a folder that does not exist, which opening the file reports)
        }
        if (status.Kind != FileKind.Regular)
        {
            throw new PerfSageException($"{path}: is {status.Kind.Describe()}; --log-file must name a regular file or a new one (PerfSage appends its log to it)");
        }
        // The option's own value is one of the arguments; any other that is the same file is an input.
        bool ownSeen = false;
        foreach (string argument in arguments)
        {
            if (argument.Length == 0 || argument.StartsWith('-'))
            {
                continue;
            }
            FileStatus other = FileProbe.Stat(argument, followLinks: true);
            if (other.Kind != FileKind.Regular || !status.IsSameFile(other))
            {
                continue;
            }
            if (!ownSeen && string.Equals(argument, path, StringComparison.Ordinal))
            {
                ownSeen = true;
                continue;
            }
            throw new PerfSageException($"{path}: is one of this command's inputs ({argument}); --log-file must name another file");
        }
    }

    /// <summary>The files directly in <paramref name="folders"/> (a model's manifest and weights, a dataset's labels and
    /// manifest): outputs such as <c>--plot</c> may not overwrite them.</summary>
    public static List<string> FilesIn(IEnumerable<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var files = new List<string>();
        foreach (string folder in folders)
        {
            if (FileProbe.Stat(folder, followLinks: true).Kind == FileKind.Directory)
            {
                try
                {
                    files.AddRange(Directory.EnumerateFiles(folder));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // An unreadable folder fails later with its own message when the command reads it.
                }
            }
        }
        return files;
    }
}
