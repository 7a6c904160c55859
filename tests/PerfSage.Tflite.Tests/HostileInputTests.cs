using System.Buffers.Binary;

namespace PerfSage.Tflite.Tests;

/// <summary>
/// Issue #11: inputs that used to crash, hang or exhaust memory. Each hostile model or file is made inside the test;
/// each refusal is a <see cref="TfliteFormatException"/> naming the source and the field.
/// </summary>
public sealed class HostileInputTests
{
    private static TfliteFormatException Reject(byte[] bytes) =>
        Assert.Throws<TfliteFormatException>(() => TfliteReader.Parse(bytes, "hostile.tflite"));

    /// <summary>The default fixture with tensor "a" (graph input) replaced.</summary>
    private static byte[] WithFirstTensor(TensorSpec tensor)
    {
        var builder = new TestModelBuilder();
        SubgraphSpec main = builder.Subgraphs[0];
        TensorSpec[] tensors = [tensor, .. main.Tensors.Skip(1)];
        builder.Subgraphs[0] = main with { Tensors = tensors };
        return builder.Build();
    }

    // ---- shapes: element counts bounded by Limits.MaxTensorElements (2^31 − 1) ----------------

    [Fact]
    public void A_shape_whose_element_count_wraps_to_zero_in_64_bits_is_refused()
    {
        // 65536^6 = 2^96: a 64-bit product wraps to exactly 0, which used to pass as a 0-byte tensor.
        TfliteFormatException e = Reject(WithFirstTensor(new TensorSpec([65536, 65536, 65536, 65536, 65536, 65536], "a")));
        Assert.Equal("subgraphs[0].tensors[0].shape", e.FieldPath);
        Assert.Equal("shape [65536,65536,65536,65536,65536,65536] has more than 2,147,483,647 elements, " +
            "more than a TFLite runtime can index (32-bit sizes)", e.Reason);
        Assert.StartsWith("hostile.tflite: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fully_connected_weight_of_two_int_max_dimensions_is_refused()
    {
        TfliteFormatException e = Reject(WithFirstTensor(new TensorSpec([int.MaxValue, int.MaxValue], "a")));
        Assert.Equal("subgraphs[0].tensors[0].shape", e.FieldPath);
        Assert.Contains("has more than 2,147,483,647 elements", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_dimensions_do_not_hide_a_huge_product_of_the_others()
    {
        // 0 elements in all, but a cost formula multiplying two of the other dimensions would pass 2^62.
        TfliteFormatException e = Reject(WithFirstTensor(new TensorSpec([0, 65536, 65536], "a")));
        Assert.Equal("subgraphs[0].tensors[0].shape", e.FieldPath);
    }

    [Fact]
    public void A_single_dimension_of_int_max_is_at_the_bound_and_read()
    {
        TfliteModel model = TfliteReader.Parse(WithFirstTensor(new TensorSpec([int.MaxValue], "a")), "big.tflite");
        Assert.Equal([int.MaxValue], model.Subgraphs[0].Tensors[0].Shape);
    }

    [Fact]
    public void A_negative_dimension_other_than_dynamic_is_refused()
    {
        TfliteFormatException e = Reject(WithFirstTensor(new TensorSpec([1, -2], "a")));
        Assert.Equal("subgraphs[0].tensors[0].shape[1]", e.FieldPath);
        Assert.Equal("dimension -2 is negative", e.Reason);
    }

    // ---- quantisation scales ------------------------------------------------------------

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    [InlineData(-0.5f, "-0.5")]
    public void A_non_finite_or_negative_scale_is_refused_naming_the_tensor(float scale, string shown)
    {
        byte[] bytes = WithFirstTensor(new TensorSpec([1, 4], "a", (byte)TensorType.Int8) { Scale = [0.25f, scale], ZeroPoint = [0, 0] });
        TfliteFormatException e = Reject(bytes);
        Assert.Equal("subgraphs[0].tensors[0].quantization.scale[1]", e.FieldPath);
        Assert.Equal($"quantization scale {shown} is not a finite non-negative number", e.Reason);
    }

    [Fact]
    public void A_zero_scale_is_read_as_converters_write_it_for_unquantised_tensors()
    {
        TfliteModel model = TfliteReader.Parse(
            WithFirstTensor(new TensorSpec([1, 4], "a") { Scale = [0f], ZeroPoint = [0] }), "zero-scale.tflite");
        Assert.Equal([0f], model.Subgraphs[0].Tensors[0].Quantization!.Scale);
    }

    // ---- files: kind, size and header checked before the content is read --------------------

    [SkippableFact]
    public void Dev_zero_is_refused_before_reading_as_a_character_device()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "/dev/zero");
        long before = GC.GetAllocatedBytesForCurrentThread();
        TfliteFormatException e = Assert.Throws<TfliteFormatException>(() => TfliteReader.ReadFile("/dev/zero"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "read /dev/zero");
        Assert.Equal("/dev/zero: is a character device, not a regular file; a model must be a regular file", e.Message);
        Assert.Equal("/dev/zero", e.SourceName);
    }

    [SkippableFact]
    public void A_named_pipe_is_refused_without_waiting_for_a_writer()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo");
        string dir = Directory.CreateTempSubdirectory("perfsage-fifo-").FullName;
        try
        {
            string fifo = Path.Combine(dir, "model.tflite");
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            {
                mkfifo.WaitForExit();
                Assert.Equal(0, mkfifo.ExitCode);
            }
            // Opening a FIFO for reading blocks until a writer comes: run on a task, so that a hang fails the test.
            Task<TfliteFormatException> read = Task.Run(() => Assert.Throws<TfliteFormatException>(() => TfliteReader.ReadFile(fifo)));
            Assert.True(read.Wait(TimeSpan.FromMinutes(2)), "ReadFile hung on a FIFO");
            Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file; a model must be a regular file", read.Result.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_large_file_of_zeros_fails_on_its_header_without_being_read()
    {
        string dir = Directory.CreateTempSubdirectory("perfsage-zeros-").FullName;
        try
        {
            string path = Path.Combine(dir, "zeros.tflite");
            using (var stream = new FileStream(path, FileMode.CreateNew))
            {
                stream.SetLength(1_500_000_000); // sparse: no disk used, reads as zeros
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            TfliteFormatException e = Assert.Throws<TfliteFormatException>(() => TfliteReader.ReadFile(path));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the file was read whole");
            Assert.Equal("<file_identifier>", e.FieldPath);
            Assert.Equal("no \"TFL3\" file identifier at bytes 4..8: not a TFLite model", e.Reason);
            Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_root_offset_past_the_end_is_refused_from_the_header()
    {
        string dir = Directory.CreateTempSubdirectory("perfsage-root-").FullName;
        try
        {
            string path = Path.Combine(dir, "root.tflite");
            var bytes = new byte[64];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, 4096);
            "TFL3"u8.CopyTo(bytes.AsSpan(4));
            File.WriteAllBytes(path, bytes);
            TfliteFormatException e = Assert.Throws<TfliteFormatException>(() => TfliteReader.ReadFile(path));
            Assert.Equal("<root>", e.FieldPath);
            Assert.Equal("offset 4096 points past the end of the 64-byte file", e.Reason);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_folder_is_refused_naming_it()
    {
        string dir = Directory.CreateTempSubdirectory("perfsage-folder-").FullName;
        try
        {
            TfliteFormatException e = Assert.Throws<TfliteFormatException>(() => TfliteReader.ReadFile(dir));
            Assert.Equal($"{dir}: is a folder, not a regular file; a model must be a regular file", e.Message);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void A_valid_model_still_reads_from_a_file()
    {
        string dir = Directory.CreateTempSubdirectory("perfsage-ok-").FullName;
        try
        {
            string path = Path.Combine(dir, "ok.tflite");
            byte[] bytes = new TestModelBuilder().Build();
            File.WriteAllBytes(path, bytes);
            TfliteModel model = TfliteReader.ReadFile(path);
            Assert.Equal(bytes, model.Bytes.ToArray());
            Assert.Equal(["a", "b", "sum"], model.Subgraphs[0].Tensors.Select(t => t.Name));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
