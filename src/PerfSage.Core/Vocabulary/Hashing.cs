using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PerfSage;

/// <summary>The stable hashes every layer uses: SHA-256 for content ids and for numbers drawn from text
/// (<see cref="SplitRule"/>), 64-bit FNV-1a for cheap stream ids (search-space names). Unlike
/// <see cref="string.GetHashCode()"/> these never change between processes, machines or runtimes.</summary>
public static class Hashing
{
    /// <summary>FNV-1a's 64-bit offset basis (Fowler, Noll and Vo; IETF draft-eastlake-fnv).</summary>
    public const ulong FnvOffsetBasis = 0xCBF29CE484222325UL;

    /// <summary>FNV's 64-bit prime, 2^40 + 2^8 + 0xB3.</summary>
    public const ulong FnvPrime = 0x100000001B3UL;

    /// <summary>Lower-case hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Lower-case hex SHA-256 of everything <paramref name="stream"/> holds from its position.</summary>
    public static string Sha256Hex(Stream stream) => Convert.ToHexStringLower(SHA256.HashData(stream));

    /// <summary>The first 8 bytes of SHA-256 of the UTF-8 text, big-endian.</summary>
    public static ulong Sha256Prefix64(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return BinaryPrimitives.ReadUInt64BigEndian(digest);
    }

    /// <summary>A number uniform in [0, 1) that depends only on <paramref name="text"/>: the top 53 bits of
    /// <see cref="Sha256Prefix64"/> scaled by 2^-53 (exact in a double, never 1).</summary>
    public static double UnitInterval(string text) => (Sha256Prefix64(text) >> 11) * (1.0 / (1UL << 53));

    /// <summary>64-bit FNV-1a over the UTF-16 code units of <paramref name="text"/> (each unit XORed in whole).</summary>
    public static ulong Fnv1a64(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ulong h = FnvOffsetBasis;
        foreach (char c in text)
        {
            h ^= c;
            h *= FnvPrime;
        }
        return h;
    }
}
