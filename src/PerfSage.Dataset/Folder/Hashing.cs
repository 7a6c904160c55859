using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PerfSage.Dataset;

/// <summary>SHA-256 helpers: content ids of files and stable pseudo-random numbers from strings.</summary>
internal static class Hashing
{
    /// <summary>Lower-case hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Lower-case hex SHA-256 of a file's bytes; throws <see cref="DatasetException"/> when it is not a
    /// regular file (a named pipe would never end) or larger than <see cref="Limits.MaxModelBytes"/>.</summary>
    public static string Sha256File(string path)
    {
        DatasetInput.Check(path, Limits.MaxModelBytes, "graph");
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The first 8 bytes of SHA-256 of the UTF-8 text, big-endian.</summary>
    public static ulong Hash64(string text)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return BinaryPrimitives.ReadUInt64BigEndian(digest);
    }

    /// <summary>A number uniform in [0, 1) that depends only on <paramref name="text"/>: <see cref="Hash64"/>
    /// scaled by 2^-64 (its top 53 bits, so the result is exact in a double and never reaches 1).</summary>
    public static double UnitInterval(string text) => (Hash64(text) >> 11) * (1.0 / (1UL << 53));
}
