namespace PerfSage.IO;

/// <summary>
/// Reads an input file the user named, refusing before any byte is read what is not a regular file (a named
/// pipe would block forever, <c>/dev/zero</c> never ends, a folder is no file) and what is larger than the
/// documented limit (<see cref="Limits"/>). Every refusal is a <see cref="PerfSageException"/> that names the file.
/// </summary>
public static class InputFile
{
    /// <summary>Checks that <paramref name="path"/> is a regular file (links followed) of at most
    /// <paramref name="maxBytes"/> bytes and returns what the probe found.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest size accepted.</param>
    /// <param name="what">What the file should be, for the message ("model", "measurement CSV").</param>
    public static FileStatus Check(string path, long maxBytes, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStatus status = FileProbe.Stat(path, followLinks: true);
        switch (status.Kind)
        {
            case FileKind.Regular:
                break;
            case FileKind.Missing:
                throw new PerfSageException(MissingMessage(path));
            default:
                throw new PerfSageException($"{path}: is {status.Kind.Describe()}, not a regular file; a {what} must be a regular file");
        }
        if (status.SizeBytes > maxBytes)
        {
            throw new PerfSageException(
                $"{path}: is {status.SizeBytes:N0} bytes, larger than the {maxBytes:N0}-byte limit for a {what}");
        }
        return status;
    }

    /// <summary>Reads the whole of a regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest size accepted.</param>
    /// <param name="what">What the file should be, for the message ("model", "measurement CSV").</param>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what)
    {
        Check(path, maxBytes, what);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            // The file may have grown since the probe: check again on the open file, and read no more than that.
            long length = stream.Length;
            if (length > maxBytes)
            {
                throw new PerfSageException($"{path}: is {length:N0} bytes, larger than the {maxBytes:N0}-byte limit for a {what}");
            }
            byte[] bytes = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, Array.MaxLength));
            int read = 0;
            while (read < bytes.Length)
            {
                int n = stream.Read(bytes, read, bytes.Length - read);
                if (n == 0)
                {
                    break;
                }
                read += n;
            }
            return read == bytes.Length ? bytes : bytes[..read];
        }
        catch (FileNotFoundException)
        {
            throw new PerfSageException(MissingMessage(path));
        }
        catch (DirectoryNotFoundException)
        {
            throw new PerfSageException(MissingMessage(path));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PerfSageException($"{path}: cannot be read ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new PerfSageException($"{path}: cannot be read ({e.Message})", e);
        }
    }

    /// <summary>The message for a path with nothing at it; says so when the name itself could not be decoded
    /// (Linux file names are bytes, .NET decodes them as UTF-8 and turns bad bytes into U+FFFD).</summary>
    public static string MissingMessage(string path) => $"{path}: {MissingCause(path)}";

    /// <summary><see cref="MissingMessage"/> without the path in front, for messages that name the file
    /// their own way (an error row of a table).</summary>
    public static string MissingCause(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Contains('\uFFFD', StringComparison.Ordinal)
            ? "the file name is not valid UTF-8, which PerfSage cannot open; rename the file"
            : "no such file";
    }
}
