namespace PerfSage.Dataset;

/// <summary>Content ids of graph files (<see cref="Hashing.Sha256Hex(Stream)"/> of a checked input).</summary>
internal static class GraphHash
{
    /// <summary>Lower-case hex SHA-256 of a file's bytes; throws <see cref="DatasetException"/> when it is not a
    /// regular file (a named pipe would never end) or larger than <see cref="Limits.MaxModelBytes"/>.</summary>
    public static string Sha256File(string path)
    {
        DatasetInput.Check(path, Limits.MaxModelBytes, "graph");
        using FileStream stream = File.OpenRead(path);
        return Hashing.Sha256Hex(stream);
    }
}
