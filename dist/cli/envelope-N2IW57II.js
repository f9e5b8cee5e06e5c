import {
  ENVELOPE_ALGOS,
  EnvelopeError,
  createDecryptStream,
  createEncryptStream,
  decryptEnvelope,
  decryptEnvelopeFile,
  decryptFileWithKey,
  encryptEnvelope,
  envelopeAlgo,
  isEnvelope,
  loadRsaPrivateKey
} from "./chunk-MRG4XAQF.js";
import "./chunk-ZFPZGAM2.js";
import "./chunk-CPAUB6IY.js";
export {
  ENVELOPE_ALGOS,
  EnvelopeError,
  createDecryptStream,
  createEncryptStream,
  decryptEnvelope,
  decryptEnvelopeFile,
  decryptFileWithKey,
  encryptEnvelope,
  envelopeAlgo,
  isEnvelope,
  loadRsaPrivateKey
};
