using System.Runtime.InteropServices;
using System.Text;

namespace PerfSage.Model.Inference.Managed;

/// <summary>One parameter of a state dictionary: its shape and its float32 values, row-major.</summary>
/// <param name="Shape">The dimensions.</param>
/// <param name="Values">The values (the product of <paramref name="Shape"/> of them).</param>
internal sealed record StateTensor(long[] Shape, float[] Values);

/// <summary>
/// Reads <c>weights.bin</c> without TorchSharp. The format is what TorchSharp 0.107's <c>Module.save</c> writes
/// (TorchSharp's <c>src/TorchSharp/NN/Module.cs</c> <c>save(BinaryWriter)</c> and <c>Tensor.Save</c>; checked byte by byte
/// against the shipped model): the entry count as an unsigned LEB128 number, then per entry the name as
/// <see cref="BinaryWriter.Write(string)"/> writes it (LEB128 byte length, UTF-8), the dtype (LEB128; 6 is float32,
/// TorchSharp's <c>ScalarType.Float32</c>), the number of dimensions and each dimension (LEB128), then the raw
/// little-endian values. Nothing follows the last entry. Every length is checked against the bytes left, so a truncated
/// or hostile file is refused with a message, never an allocation it does not back.
/// </summary>
internal static class StateDictReader
{
    /// <summary>TorchSharp's <c>ScalarType.Float32</c>.</summary>
    internal const int Float32 = 6;

    private const int MaxDimensions = 8;

    /// <summary>The parameters by name, in file order.</summary>
    /// <exception cref="ModelFormatException">The bytes are not a float32 state dictionary; the message starts with <paramref name="path"/>.</exception>
    public static Dictionary<string, StateTensor> Read(byte[] bytes, string path)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var reader = new Cursor(bytes, path);
        long count = reader.Leb128();
        if (count < 0 || count > bytes.Length)
        {
            throw reader.Fail($"entry count {count} is impossible for a file of {bytes.Length} bytes");
        }
        var result = new Dictionary<string, StateTensor>(StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            long nameLength = reader.Leb128();
            string name = reader.Utf8(nameLength);
            long dtype = reader.Leb128();
            if (dtype != Float32)
            {
                throw reader.Fail($"parameter '{name}' has dtype {dtype}; the model stores float32 ({Float32})");
            }
            long rank = reader.Leb128();
            if (rank is < 0 or > MaxDimensions)
            {
                throw reader.Fail($"parameter '{name}' has {rank} dimensions");
            }
            var shape = new long[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++)
            {
                shape[d] = reader.Leb128();
                if (shape[d] < 0 || shape[d] > bytes.Length)
                {
                    throw reader.Fail($"parameter '{name}' has dimension {shape[d]}");
                }
                elements *= shape[d];
                if (elements > bytes.Length)
                {
                    throw reader.Fail($"parameter '{name}' needs more bytes than the file holds");
                }
            }
            float[] values = reader.Floats(elements, name);
            if (!result.TryAdd(name, new StateTensor(shape, values)))
            {
                throw reader.Fail($"parameter '{name}' appears twice");
            }
        }
        if (!reader.AtEnd)
        {
            throw reader.Fail($"{reader.Left} bytes follow the last parameter");
        }
        return result;
    }

    private sealed class Cursor(byte[] bytes, string path)
    {
        private int _at;

        public bool AtEnd => _at == bytes.Length;

        public int Left => bytes.Length - _at;

        public ModelFormatException Fail(string why) =>
            new($"{path}: weights file is not a float32 state dictionary at byte {_at}: {why}");

        /// <summary>An unsigned LEB128 number of at most 63 bits.</summary>
        public long Leb128()
        {
            long value = 0;
            for (int shift = 0; shift < 63; shift += 7)
            {
                if (_at >= bytes.Length)
                {
                    throw Fail("the file ends inside a number");
                }
                byte b = bytes[_at++];
                value |= (long)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
            throw Fail("a number is longer than 63 bits");
        }

        public string Utf8(long length)
        {
            if (length < 0 || length > Left || length > 4096)
            {
                throw Fail($"a parameter name of {length} bytes");
            }
            try
            {
                string s = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, _at, (int)length);
                _at += (int)length;
                return s;
            }
            catch (DecoderFallbackException e)
            {
                throw Fail($"a parameter name is not UTF-8 ({e.Message})");
            }
        }

        public float[] Floats(long count, string name)
        {
            if (count * sizeof(float) > Left)
            {
                throw Fail($"parameter '{name}' needs {count * sizeof(float)} bytes, {Left} are left");
            }
            var values = new float[count];
            ReadOnlySpan<byte> raw = bytes.AsSpan(_at, (int)count * sizeof(float));
            if (BitConverter.IsLittleEndian)
            {
                raw.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            }
            else
            {
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * sizeof(float)));
                }
            }
            _at += raw.Length;
            return values;
        }
    }
}
