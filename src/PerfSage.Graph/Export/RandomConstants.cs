using System.Buffers.Binary;
using PerfSage.Tflite;

namespace PerfSage.Graph.Export;

/// <summary>
/// Seeded values for constant tensors that have no data yet (weights and biases the builder created).
/// Values only need the right type, size and a plausible range: costs never read them. Ranges follow the
/// TFLite quantisation spec (int8 weights symmetric in [-127, 127]; int16 in [-32767, 32767]); int32 and
/// int64 biases stay small; float weights are uniform in [-0.5, 0.5).
/// </summary>
internal static class RandomConstants
{
    /// <summary>Salt of the data streams (one stream per tensor id).</summary>
    public const ulong DataSalt = 0x44415441; // "DATA"

    /// <summary>Bytes of dense data for <paramref name="tensor"/>; throws for types without a fixed size and
    /// tensors too large to write.</summary>
    public static int Length(GraphTensor tensor, string graphName)
    {
        int bits = TensorTypes.BitsPerElement(tensor.Type);
        if (bits == 0)
        {
            throw new OpGraphException(
                $"{graphName}: constant tensor {tensor.Id} ('{tensor.Name}') of type {TensorTypes.Name(tensor.Type)} has no data and none can be made up");
        }
        long length = TensorTypes.DenseBytes(tensor.Type, tensor.ElementCount);
        if (length > int.MaxValue / 2)
        {
            throw new OpGraphException($"{graphName}: constant tensor {tensor.Id} ('{tensor.Name}') of {length} bytes is too large to write");
        }
        return (int)length;
    }

    /// <summary>The dense bytes of <paramref name="tensor"/>, drawn from stream (seed, tensor id).</summary>
    public static byte[] For(GraphTensor tensor, int seed, string graphName)
    {
        var rng = ExportRandom.ForStream(seed, tensor.Id, DataSalt);
        long count = tensor.ElementCount;
        var data = new byte[Length(tensor, graphName)];
        Span<byte> span = data;
        switch (tensor.Type)
        {
            case TensorType.Int8:
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] = (byte)(sbyte)rng.NextInRange(-127, 127);
                }
                break;
            case TensorType.UInt8:
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] = (byte)rng.NextInRange(0, 255);
                }
                break;
            case TensorType.Int16:
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(span[(2 * i)..], (short)rng.NextInRange(-32767, 32767));
                }
                break;
            case TensorType.Int32:
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(span[(4 * i)..], (int)rng.NextInRange(-1024, 1024));
                }
                break;
            case TensorType.Int64:
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(span[(8 * i)..], rng.NextInRange(-1024, 1024));
                }
                break;
            case TensorType.Float32:
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(span[(4 * i)..], Weight(ref rng));
                }
                break;
            case TensorType.Float16:
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(span[(2 * i)..], (Half)Weight(ref rng));
                }
                break;
            case TensorType.BFloat16:
                for (int i = 0; i < count; i++)
                {
                    // bfloat16 is the upper half of a float32.
                    uint bitsOfFloat = BitConverter.SingleToUInt32Bits(Weight(ref rng));
                    BinaryPrimitives.WriteUInt16LittleEndian(span[(2 * i)..], (ushort)(bitsOfFloat >> 16));
                }
                break;
            case TensorType.Float64:
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(span[(8 * i)..], rng.NextDouble() - 0.5);
                }
                break;
            case TensorType.Complex64:
                for (int i = 0; i < 2 * count; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(span[(4 * i)..], Weight(ref rng));
                }
                break;
            case TensorType.Complex128:
                for (int i = 0; i < 2 * count; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(span[(8 * i)..], rng.NextDouble() - 0.5);
                }
                break;
            case TensorType.Bool:
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] = (byte)(rng.Next() & 1);
                }
                break;
            case TensorType.Float8E4M3FN or TensorType.Float8E5M2:
                for (int i = 0; i < data.Length; i++)
                {
                    // Clearing the exponent's top bit keeps away from the NaN/Inf codes of both formats.
                    data[i] = (byte)(rng.Next() & 0xBF);
                }
                break;
            default:
                // Packed sub-byte integers (INT4, UINT4, INT2) and unsigned 16/32/64-bit: any bit pattern is a value.
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] = (byte)rng.Next();
                }
                break;
        }
        return data;
    }

    private static float Weight(ref SplitMix64 rng) => (float)(rng.NextDouble() - 0.5);
}
