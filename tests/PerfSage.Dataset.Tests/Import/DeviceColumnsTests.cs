using Xunit;

namespace PerfSage.Dataset.Tests.Import;

public class DeviceColumnsTests
{
    [Theory]
    [InlineData("1080ti_1", 1)]
    [InlineData("1080ti_32", 32)]
    [InlineData("titan_rtx_256", 256)]
    [InlineData("titanxp_64", 64)]
    [InlineData("silver_4114", 1)]   // a Xeon model number, not a batch
    [InlineData("gold_6226", 1)]
    [InlineData("silver_4210r", 1)]
    [InlineData("essential_ph_1", 1)]
    [InlineData("raspi4", 1)]
    [InlineData("pixel3", 1)]
    [InlineData("gpu_032", 1)]       // a leading zero is not a batch spelling
    [InlineData("gpu_8192", 1)]      // above the largest batch
    [InlineData("gpu_", 1)]
    public void Column_names_give_their_batch(string column, int batch)
    {
        Assert.Equal(batch, DeviceColumns.Batch(column));
    }
}
