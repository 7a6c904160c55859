using PerfSage.IO;

namespace PerfSage.Dataset;

/// <summary>Reads a file a user named or a dataset folder holds through <see cref="InputFile"/> (a regular file
/// only, at most a documented number of bytes), with its refusals as <see cref="DatasetException"/>, the one
/// exception of the dataset code.</summary>
internal static class DatasetInput
{
    /// <summary>The whole of <paramref name="path"/>; throws <see cref="DatasetException"/> naming it when it is
    /// missing, not a regular file (a named pipe, a device, a folder) or larger than <paramref name="maxBytes"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest size accepted (<see cref="Limits"/>).</param>
    /// <param name="what">What the file should be, for the message ("measurement CSV").</param>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what)
    {
        try
        {
            return InputFile.ReadAllBytes(path, maxBytes, what);
        }
        catch (PerfSageException e) when (e is not DatasetException)
        {
            throw new DatasetException(e.Message, e);
        }
    }

    /// <summary>Checks that <paramref name="path"/> is a regular file of at most <paramref name="maxBytes"/> bytes;
    /// throws <see cref="DatasetException"/> naming it otherwise.</summary>
    public static void Check(string path, long maxBytes, string what)
    {
        try
        {
            InputFile.Check(path, maxBytes, what);
        }
        catch (PerfSageException e) when (e is not DatasetException)
        {
            throw new DatasetException(e.Message, e);
        }
    }
}
