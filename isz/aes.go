package isz

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
)

// newCipher returns the AES block cipher of an image of encryption type e
// for password: the key is the password's bytes in a zero-filled buffer of
// the key length, truncated if longer (what the vendor's SDK does).
func newCipher(e Encryption, password string) (cipher.Block, error) {
	n := e.keyLen()
	if n == 0 {
		return nil, fmt.Errorf("%w: encryption type %d", ErrUnsupported, e)
	}
	key := make([]byte, n)
	copy(key, password)
	return aes.NewCipher(key)
}

// decryptChunk decrypts the stored bytes of one chunk in place: AES in ECB
// mode over the whole 16-byte blocks; the last len(b)%16 bytes are stored
// in plain text. A cipher.Block is safe for concurrent use.
func decryptChunk(c cipher.Block, b []byte) {
	for len(b) >= aes.BlockSize {
		c.Decrypt(b[:aes.BlockSize], b[:aes.BlockSize])
		b = b[aes.BlockSize:]
	}
}

// encryptChunk is the inverse of decryptChunk.
func encryptChunk(c cipher.Block, b []byte) {
	for len(b) >= aes.BlockSize {
		c.Encrypt(b[:aes.BlockSize], b[:aes.BlockSize])
		b = b[aes.BlockSize:]
	}
}
