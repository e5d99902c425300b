// A CDK app for tests/test_cloudformation_server.py: an L1 CfnDeliveryStream and the L2
// DeliveryStream, each with a customer managed key. FIREHOSE_SSE_DISABLED_KEY=1 disables the
// L1 stream's key (its creation then fails with DISABLED_KMS_KEY and the stack rolls back).
const cdk = require('aws-cdk-lib');
const firehose = require('aws-cdk-lib/aws-kinesisfirehose');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const s3 = require('aws-cdk-lib/aws-s3');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'FirehoseSse');
const bucket = new s3.Bucket(stack, 'Bucket');

const l2Key = new kms.Key(stack, 'L2Key');
const l2 = new firehose.DeliveryStream(stack, 'L2Stream', {
  destination: new firehose.S3Bucket(bucket),
  encryption: firehose.StreamEncryption.customerManagedKey(l2Key),
});

const l1Key = new kms.Key(stack, 'L1Key', {
  enabled: process.env.FIREHOSE_SSE_DISABLED_KEY !== '1',
});
const role = new iam.Role(stack, 'L1Role', {
  assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com'),
});
const l1 = new firehose.CfnDeliveryStream(stack, 'L1Stream', {
  deliveryStreamType: 'DirectPut',
  deliveryStreamEncryptionConfigurationInput: {
    keyType: 'CUSTOMER_MANAGED_CMK',
    keyArn: l1Key.keyArn,
  },
  extendedS3DestinationConfiguration: { bucketArn: bucket.bucketArn, roleArn: role.roleArn },
});

new cdk.CfnOutput(stack, 'L1Name', { value: l1.ref });
new cdk.CfnOutput(stack, 'L1Arn', { value: l1.attrArn });
new cdk.CfnOutput(stack, 'L2Name', { value: l2.deliveryStreamName });
